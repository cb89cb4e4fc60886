#!/usr/bin/env bash
# Creates .venv and installs mockecs into it with the given pip arguments, or reuses it when nothing that
# decides what gets installed changed since last time (a stamp holds a hash of the packaging files and the
# arguments; the install is editable, so code changes need no reinstall). Used by serve.sh and test.sh.
#   bash scripts/venv.sh -e '.[test]' -e plugins/mockecs-sqlite
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.mockecs-packaging
want=$( (printf '%s\n' "$@"; python3 --version; cat pyproject.toml plugins/*/pyproject.toml 2>/dev/null) \
        | python3 -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "==> reusing .venv (packaging unchanged)" >&2
    exit 0
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv" >&2
    python3 -m venv .venv
fi
echo "==> installing into .venv: $* (a minute on a fresh machine)" >&2
start=$SECONDS
log=$(mktemp)
set +e
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off "$@" 2>&1 | tee "$log" \
    | grep --line-buffered -E '^(Collecting|Successfully installed)' | sed -u 's/^/    /' >&2
pip_status=${PIPESTATUS[0]}
set -e
if [ "$pip_status" != 0 ]; then
    cat "$log" >&2
    rm -f "$log"
    echo "==> pip install failed ($pip_status)" >&2
    exit "$pip_status"
fi
rm -f "$log"
echo "$want" > "$stamp"
echo "==> installed in $((SECONDS - start)) s" >&2
