#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh machine, then runs it. README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' -e plugins/mockecs-sqlite
bash tests/node/install.sh
.venv/bin/ruff check mockecs plugins tests benchmarks
exec .venv/bin/python -m pytest "$@"
