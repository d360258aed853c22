#!/usr/bin/env bash
# Prints the reliability report from what scripts/test.sh's steps left behind:
# ThreadSanitizer, fuzzing, crash rounds, the bad-input corpus and the load check. A step that
# did not run (skipped, or failed before writing its figures) says so.
cd "$(dirname "$0")/.."
echo "== reliability report"
show() {  # show LABEL FILE: the file's lines, or "not run"
  if [ -s "$2" ]; then sed "s|^|  $1: |" "$2"; else echo "  $1: not run"; fi
}
show "ThreadSanitizer" build-tsan/tsan-report.txt
show "fuzz" build-fuzz/fuzz-report.txt
# The crash and bad-input tests print their figures as "[ info ] …" lines; ctest keeps them.
lines=$(grep -h '\[ info \] .*\(SIGKILL rounds\|bad-input corpus\)' \
  build/Testing/Temporary/LastTest.log 2>/dev/null | sed 's|.*\[ info \] ||')
if [ -n "$lines" ]; then echo "$lines" | sed 's|^|  crash/bad input: |'; else
  echo "  crash rounds, bad-input corpus: not run"; fi
if [ -s build/load-report.json ]; then
  echo "  load (64 ingest clients, 12 readers, 4 SSE streams): $(cat build/load-report.json)"
else
  echo "  load: not run"
fi
