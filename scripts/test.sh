#!/usr/bin/env bash
# The README's second command: runs every test.
#   1. installs what is missing and builds (scripts/build.sh), then runs ctest on ./build;
#   2. builds the tests under AddressSanitizer + UndefinedBehaviorSanitizer (preset "asan",
#      ./build-asan) and runs them again.
# Set LLMSCOPE_SKIP_SANITIZERS=1 to skip step 2 on a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/build.sh
echo "== tests (build/)"
ctest --preset default -j "$jobs"

if [ "${LLMSCOPE_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== tests under ASan + UBSan (build-asan/)"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs"
fi
