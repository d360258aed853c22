#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang, ASan + UBSan, ./build-fuzz) and runs each
# for a bounded time, two at a time, starting from its seed corpus in tests/fuzz/corpus/<name>/
# (copied: what the fuzzer adds stays in build-fuzz/corpus/). Fails when any target finds a
# crash, a leak, a timeout or a broken property; the input is kept in build-fuzz/artifacts/<name>/
# (tests/fuzz/README.md: turn it into a regression test). Writes one line per target to
# build-fuzz/fuzz-report.txt.
#   LLMSCOPE_FUZZ_SECONDS  seconds per target (default 45)
#   LLMSCOPE_FUZZ_JOBS     targets run at once (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${LLMSCOPE_FUZZ_SECONDS:-45}
jobs=${LLMSCOPE_FUZZ_JOBS:-2}
targets=(ingest_payload series_reader stream_parsers config otlp_decode http_request)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]/%/_fuzz}"

run_one() {
  local name=$1 seconds=$2
  local dir=build-fuzz/fuzz-runs
  mkdir -p "build-fuzz/corpus/$name" "build-fuzz/artifacts/$name" "$dir"
  cp -n "tests/fuzz/corpus/$name/"* "build-fuzz/corpus/$name/" 2>/dev/null || true
  local status=0
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "build-fuzz/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name/" \
    "build-fuzz/corpus/$name" >"$dir/$name.log" 2>&1 || status=$?
  local execs findings
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$name.log" | tail -1)
  findings=$(find "build-fuzz/artifacts/$name" -type f | wc -l)
  echo "$name: ${execs:-0} executions in ${seconds} s, corpus $(ls "build-fuzz/corpus/$name" | wc -l) inputs, findings $findings (exit $status)" \
    >"$dir/$name.summary"
}
export -f run_one
rm -f build-fuzz/fuzz-runs/*.summary
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c "run_one {} $seconds"

cat build-fuzz/fuzz-runs/*.summary | tee build-fuzz/fuzz-report.txt
failed=0
for name in "${targets[@]}"; do
  if [ -n "$(find "build-fuzz/artifacts/$name" -type f)" ] ||
     ! grep -q '(exit 0)' "build-fuzz/fuzz-runs/$name.summary"; then
    echo "fuzz: $name found a problem; see build-fuzz/fuzz-runs/$name.log and build-fuzz/artifacts/$name/"
    tail -40 "build-fuzz/fuzz-runs/$name.log"
    failed=1
  fi
done
exit $failed
