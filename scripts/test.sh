#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh machine, then runs it. README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
# The Redis store's tests start a real redis-server (Debian's package) on a free port.
if ! command -v redis-server >/dev/null 2>&1; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq redis-server
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' -e plugins/mockecs-sqlite \
    -e 'plugins/mockecs-redis[hiredis]'
bash tests/node/install.sh
.venv/bin/ruff check mockecs plugins tests benchmarks
exec .venv/bin/python -m pytest "$@"
