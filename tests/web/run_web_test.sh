#!/usr/bin/env bash
# Runs one of the dashboard's test commands (vitest, or the Chromium end-to-end run) in web/ for
# ctest. Without node or web/node_modules it exits 77 (ctest: skipped), unless CI=true, where
# that is a failure. Usage: run_web_test.sh WEB_DIR COMMAND [ARGS...]
set -euo pipefail
web_dir=$1
shift
missing=""
command -v node >/dev/null 2>&1 || missing="node"
[ -d "$web_dir/node_modules" ] || missing="${missing:+$missing, }web/node_modules (cd web && npm ci)"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: missing $missing (CI=true)" >&2
    exit 1
  fi
  echo "SKIP: missing $missing"
  exit 77
fi
cd "$web_dir"
exec "$@"
