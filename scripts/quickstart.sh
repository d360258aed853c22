#!/usr/bin/env bash
# The README's first command: install what is missing, build, show offline SPC on a bundled
# example series, then start the server on its embedded default (SQLite in ./data, listening on
# 127.0.0.1:8080). Ctrl-C stops it. Extra arguments go to `llmscope serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --target llmscope
echo
echo "== llmscope analyze examples/ollama_llama3_shift.csv (a latency shift from point 250)"
./build/src/app/llmscope analyze examples/ollama_llama3_shift.csv --baseline 200 | head -40
echo "   (the full report: ./build/src/app/llmscope analyze examples/ollama_llama3_shift.csv)"
echo
echo "== llmscope serve (Ctrl-C to stop)"
exec ./build/src/app/llmscope serve "$@"
