#!/usr/bin/env bash
# Runs the OTLP end-to-end test (otlp_export.test.mjs: OpenTelemetry's JS SDK exporters against
# the real `llmscope serve`) for ctest. Installs the locked npm packages (npm ci) when
# node_modules is missing. Without node or npm, or when the install fails (no registry), it
# exits 77 (ctest: skipped), unless CI=true, where that is a failure.
# Usage: run_otlp_js_test.sh PATH_TO_LLMSCOPE
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
command -v node >/dev/null 2>&1 || skip "node is missing"
if [ ! -d node_modules ]; then
  command -v npm >/dev/null 2>&1 || skip "npm is missing (tests/otlp_js needs npm ci)"
  npm ci --no-audit --no-fund || skip "npm ci failed in tests/otlp_js"
fi
exec node otlp_export.test.mjs "$1"
