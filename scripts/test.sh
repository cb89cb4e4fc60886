#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh machine (or reuses what is there), then runs it: the
# README's test command. Extra arguments go to pytest. Lint runs beside the tests and never hides their result.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages, each for the tests named beside it (they skip without it), installed in one apt-get run:
missing=""   # (packages)
for_what=""  # (what each group is for, for the messages)
want() {  # want "<packages>" "<what they are for>"
    missing="$missing $1"
    for_what="$for_what
    $1: $2"
}
command -v redis-server >/dev/null 2>&1 || want redis-server "the Redis store's tests start a real one on a free port"
command -v wrk >/dev/null 2>&1 || want wrk "the load of benchmarks/server_throughput.py --workers (else Python clients)"
command -v chromium >/dev/null 2>&1 || want chromium "the dashboard tests (tests/test_dashboard.py)"
if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/denverdino/aliyungo ]; then
    want "golang-go golang-github-denverdino-aliyungo-dev" "tests/test_go_sdk.py (Go's aliyungo, built offline)"
fi
ruby -e 'require "fog/aliyun"' >/dev/null 2>&1 || want ruby-fog-aliyun "tests/test_fog.py (Ruby's fog; pulls in ruby)"
command -v ansible-playbook >/dev/null 2>&1 || want ansible "tests/test_ansible.py (ali_instance, ali_instance_info)"
command -v packer >/dev/null 2>&1 || want packer "tests/test_packer.py (Packer 1.6.6's alicloud-ecs builder, unchanged)"
/usr/bin/python3 -c 'import cloudinit.sources.DataSourceAliYun' >/dev/null 2>&1 \
    || want cloud-init "tests/test_cloud_init.py (cloud-init's AliYun datasource; starts no service in a container)"
if [ -n "$missing" ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "==> installing Debian packages:$for_what" >&2
        # shellcheck disable=SC2086 # (one word per package)
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) || {
            echo "    not all could be installed at once; one by one (the tests of any that fails skip)" >&2
            for package in $missing; do
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null \
                    || echo "    $package could not be installed" >&2
            done
        }
    else
        echo "==> not found and not installable here (their tests skip):$for_what" >&2
    fi
fi
bash scripts/venv.sh -e '.[test]' -e plugins/mockecs-sqlite -e 'plugins/mockecs-redis[hiredis]'
echo "==> Node SDK for tests/test_node_sdk.py" >&2
bash tests/node/install.sh
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
