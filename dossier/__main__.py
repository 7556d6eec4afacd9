"""``python -m dossier`` is the ``dossier`` command."""

from dossier.bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
