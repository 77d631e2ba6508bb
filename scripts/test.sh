#!/usr/bin/env bash
# Set up a local virtual environment (.venv) with the test extra, install what the tests
# need from the machine's package registries (Debian's chromium for the browser tests;
# the Oxigraph server comes from PyPI with the test extra), then run the data gate
# (qkg validate), the whole test suite and the 10k benchmark smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Debian's chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "test.sh: chromium is missing and cannot be installed here (need root and apt-get)" >&2
  fi
fi

echo "== qkg validate"
.venv/bin/qkg validate
echo "== pytest"
.venv/bin/python -m pytest -q "$@"
if [ -f benchmarks/run.py ]; then
  echo "== benchmarks (10k smoke run: figures printed, nothing asserted)"
  .venv/bin/python benchmarks/run.py --smoke
fi
