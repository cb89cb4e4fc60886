#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh machine (or reuses what is there), then runs it: the
# README's test command. Extra arguments go to pytest. Lint runs beside the tests and never hides their result.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages: redis-server (the Redis store's tests start a real one on a free port) and wrk (the load of
# benchmarks/server_throughput.py --workers; without it that benchmark falls back to Python clients).
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
if [ -n "$missing" ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "==> installing$missing (Debian packages) for the Redis store's tests and benchmark" >&2
        # shellcheck disable=SC2086 # (one word per package)
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
            || echo "    $missing could not be installed: the Redis store's tests will skip without redis-server" >&2
    else
        echo "==>$missing not found and not installable here: the Redis store's tests skip without redis-server" >&2
    fi
fi
bash scripts/venv.sh -e '.[test]' -e plugins/mockecs-sqlite -e 'plugins/mockecs-redis[hiredis]'
echo "==> Node SDK for tests/test_node_sdk.py" >&2
bash tests/node/install.sh
if ! command -v chromium >/dev/null 2>&1; then  # Debian's browser for tests/test_dashboard.py (no download of its own)
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "==> installing chromium (Debian package) for the dashboard tests" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
            || echo "    chromium could not be installed: the dashboard tests will skip" >&2
    else
        echo "==> chromium not found and not installable here: the dashboard tests will skip" >&2
    fi
fi
if ! ruby -e 'require "fog/aliyun"' >/dev/null 2>&1; then  # Ruby's fog for tests/test_fog.py (pulls in ruby)
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "==> installing ruby-fog-aliyun (Debian package) for the Ruby fog tests" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby-fog-aliyun >/dev/null) \
            || echo "    ruby-fog-aliyun could not be installed: the Ruby fog tests will skip" >&2
    else
        echo "==> ruby-fog-aliyun not found and not installable here: the Ruby fog tests will skip" >&2
    fi
fi
echo "==> ruff (beside the tests; its result follows theirs)" >&2
lint_log=$(mktemp)
.venv/bin/ruff check mockecs plugins tests benchmarks >"$lint_log" 2>&1 &
lint_pid=$!
echo "==> pytest $*" >&2
status=0
.venv/bin/python -m pytest "$@" || status=$?
lint=0
wait "$lint_pid" || lint=$?
echo "==> ruff: $( [ "$lint" = 0 ] && echo "clean" || echo "FAILED")" >&2
[ "$lint" = 0 ] || cat "$lint_log" >&2
rm -f "$lint_log"
if [ "$status" = 0 ] && [ "$lint" != 0 ]; then
    status=$lint
fi
exit "$status"
