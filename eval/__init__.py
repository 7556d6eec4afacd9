"""Evaluation question sets (and corpora), shipped as package data for `dossier eval`."""
