#!/usr/bin/env bash
# Installs the Node.js ECS and VPC SDKs, the pop-core RPC client, aliyun-sdk and the OSS SDK ali-oss that
# tests/test_node_sdk.py, tests/test_node_popcore.py and tests/test_node_oss.py drive (they skip without them).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
    echo "npm not found: tests/test_node_sdk.py, tests/test_node_popcore.py and tests/test_node_oss.py will be skipped" >&2
    exit 0
fi
npm install --no-audit --no-fund --loglevel=error
