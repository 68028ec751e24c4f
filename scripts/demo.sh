#!/usr/bin/env bash
# Install Music Time Machine into ./.venv (first run only) and start the demo:
# realistic demo history, the bundled fake Spotify, http://127.0.0.1:5000/.
# Extra arguments go to `mtm demo` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/mtm ] || [ pyproject.toml -nt .venv/.installed ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
  touch .venv/.installed
fi
exec .venv/bin/mtm demo "$@"
