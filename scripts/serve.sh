#!/usr/bin/env bash
# Sets up mockecs on a fresh machine and starts the standalone server (default store and catalog).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/mockecs server "$@"
