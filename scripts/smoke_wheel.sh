#!/usr/bin/env bash
# Build the wheel, install it (not editable) into a fresh virtual environment outside the
# checkout, and check that the installed `dossier` works offline from another directory:
# --help everywhere, `ask --json` on the shipped seeds, `python -m dossier`.
#   bash scripts/smoke_wheel.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m build --wheel --outdir "$work/dist" . >/dev/null
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/dossier-*.whl
"$work/venv/bin/python" -m pip check
cd "$work"  # nothing of the checkout is importable from here
export DOSSIER_HOME="$work/home"
for command in "" ask ingest sources repl eval discord; do
  "$work/venv/bin/dossier" $command --help >/dev/null
done
"$work/venv/bin/python" -m dossier --help >/dev/null
"$work/venv/bin/dossier" ask --json "What did Kirby say about the quantity of shells?" >"$work/answer.json"
"$work/venv/bin/python" - "$work/answer.json" <<'PY'
import json, sys
answer = json.load(open(sys.argv[1]))
assert answer["citations"] and not answer["refused"], answer
print(f"wheel smoke test: ok ({len(answer['citations'])} citations)")
PY
