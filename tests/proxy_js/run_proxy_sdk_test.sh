#!/usr/bin/env bash
# Runs the proxy's SDK test (proxy_sdk.test.mjs) for ctest: installs its npm modules with
# `npm ci` when node_modules is missing. Without node or npm, or when the install fails (no
# registry), it exits 77 (ctest: skipped), unless CI=true, where that is a failure.
# Usage: run_proxy_sdk_test.sh LLMSCOPE_BINARY FAKE_PROVIDER_BINARY
set -euo pipefail
cd "$(dirname "$0")"
skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: $1 (CI=true)" >&2
    exit 1
  fi
  echo "SKIP: $1"
  exit 77
}
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || skip "node or npm missing"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund >/dev/null || skip "npm ci failed (is the npm registry reachable?)"
fi
LLMSCOPE_BINARY=$1 FAKE_PROVIDER_BINARY=$2 exec node --test proxy_sdk.test.mjs
