#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run LLMscope's main job on a
# bundled example series (a latency shift from point 250), printing its chart and violations.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
echo
./build/src/app/llmscope analyze examples/ollama_llama3_shift.csv --baseline 200
