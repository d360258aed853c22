#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy) over the given sources, or over every src/ .cc file,
# with the compile commands of ./build (run scripts/build.sh first). Exits non-zero on a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/compile_commands.json ] || { echo "tidy: run scripts/build.sh first" >&2; exit 2; }
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find src -name '*.cc' | sort); fi
out=$(printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build --quiet 2>/dev/null \
  | grep -E 'warning:|error:' | sort -u || true)
if [ -n "$out" ]; then echo "$out"; echo "tidy: $(echo "$out" | wc -l) finding(s)"; exit 1; fi
echo "tidy: clean (${#files[@]} files)"
