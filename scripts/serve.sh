#!/usr/bin/env bash
# Sets up mockecs on a fresh machine (or reuses .venv) and starts the standalone server (default store and catalog).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh -e '.[dashboard,server-https]'
exec .venv/bin/mockecs server "$@"
