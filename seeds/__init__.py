"""The demo corpus: five news articles, shipped as package data so `dossier ask` works offline after install."""
