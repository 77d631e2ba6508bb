#!/usr/bin/env bash
# Set up a local virtual environment (.venv) and run qkg's main job on the embedded store:
# validate the graph, print its statistics and a showcase of the stored queries.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e . 2>&1 | grep -v '^WARNING: Location' || true
exec .venv/bin/qkg demo "$@"
