#!/usr/bin/env bash
# Installs the Node.js ECS and VPC SDKs, the pop-core RPC client and aliyun-sdk that tests/test_node_sdk.py and
# tests/test_node_popcore.py drive (they skip without them).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
    echo "npm not found: tests/test_node_sdk.py and tests/test_node_popcore.py will be skipped" >&2
    exit 0
fi
npm install --no-audit --no-fund --loglevel=error
