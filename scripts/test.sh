#!/usr/bin/env bash
# The README's second command: runs every test.
#   1. installs what is missing and builds (scripts/build.sh), then runs ctest on ./build;
#   2. builds the tests under AddressSanitizer + UndefinedBehaviorSanitizer (preset "asan",
#      ./build-asan) and runs them again.
#   3. builds the server, probe, monitor, store and settings tests under ThreadSanitizer (preset "tsan",
#      ./build-tsan) and runs them;
#   4. runs each libFuzzer target for a bounded time (scripts/fuzz.sh, ./build-fuzz);
#   5. puts 64 ingest clients and 16 readers on the real server (scripts/load-check.sh);
#   and at the end, whatever happened, prints the reliability report
#   (scripts/reliability-report.sh).
# Set LLMSCOPE_SKIP_SANITIZERS=1 to skip steps 2 and 3 on a quick local run; LLMSCOPE_SKIP_TSAN,
# LLMSCOPE_SKIP_FUZZ and LLMSCOPE_SKIP_LOAD=1 skip one step each.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
rm -f build-tsan/tsan-report.txt build-fuzz/fuzz-report.txt build/load-report.json
trap 'bash scripts/reliability-report.sh' EXIT
step_start() { step_t0=$(date +%s); }
step_end() { echo "== $1 took $(( $(date +%s) - step_t0 )) s"; }

step_start
bash scripts/build.sh
step_end "install and build"
echo "== tests (build/)"
step_start
ctest --preset default -j "$jobs"
step_end "tests"

if [ "${LLMSCOPE_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== tests under ASan + UBSan (build-asan/)"
  step_start
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  # The dashboard's component tests run no C++: once, above, is enough. The proxy's SDK test and
  # its stream test check timings within a few ms, its 100 MB reply test memory growth: ASan's
  # slowdown and its quarantine of freed memory make them meaningless here (they run above).
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan -j "$jobs" \
      -E '^web_component_tests$|^proxy_sdk_tests$|MeasuredLikeAProbe|AHundredMegabyteReplyPassesInBoundedMemory'
  step_end "ASan + UBSan build and tests"
fi

# ThreadSanitizer: only the tests of the threaded parts (and the real binary they start).
tsan_targets=(llmscope server_unit_tests server_integration_tests monitor_unit_tests
              store_unit_tests probe_scheduler_unit_tests probe_spool_unit_tests
              probe_provider_tests remote_push_integration_tests probe_cli_tests
              postgres_store_tests shared_postgres_integration_tests
              proxy_unit_tests proxy_integration_tests serve_proxy_tests
              settings_unit_tests targets_api_tests http_engine_tests)
# Not run here: tests of targets not built here (*_NOT_BUILT), the dashboard's (no C++ of
# their own), and the tests that check timing against a clock with a tolerance of tens of ms
# (the probe's and the proxy's accuracy against injected delays, the scheduler's tick counts),
# which TSan's slowdown on a loaded machine exceeds; they run in the two passes above.
tsan_excluded='_NOT_BUILT$|^web_|MetricsMatchTheInjectedDelays|IntervalsAreRespected|MeasuredLikeAProbe|^proxy_sdk_tests$'
if [ "${LLMSCOPE_SKIP_SANITIZERS:-0}" != "1" ] && [ "${LLMSCOPE_SKIP_TSAN:-0}" != "1" ]; then
  echo "== server, probe, monitor and store tests under ThreadSanitizer (build-tsan/)"
  step_start
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target "${tsan_targets[@]}"
  tsan_status=0
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan/suppressions.txt" \
    ctest --preset tsan -j "$jobs" -E "$tsan_excluded" >build-tsan/ctest.log 2>&1 || tsan_status=$?
  cat build-tsan/ctest.log
  grep -o '[0-9]*% tests passed, [0-9]* tests failed out of [0-9]*' build-tsan/ctest.log |
    sed "s|$| ($(( $(date +%s) - step_t0 )) s with the build)|" >build-tsan/tsan-report.txt
  step_end "ThreadSanitizer"
  [ "$tsan_status" -eq 0 ]
fi

if [ "${LLMSCOPE_SKIP_FUZZ:-0}" != "1" ]; then
  echo "== fuzzing (build-fuzz/)"
  step_start
  bash scripts/fuzz.sh
  step_end "fuzzing"
fi

if [ "${LLMSCOPE_SKIP_LOAD:-0}" != "1" ]; then
  echo "== load: 64 ingest clients + 16 readers (build/)"
  step_start
  bash scripts/load-check.sh
  step_end "load check"
fi
