#!/usr/bin/env bash
# Installs what is missing (scripts/install-deps.sh), then configures and builds LLMscope in
# ./build (Release with debug info), with the dashboard (web/, scripts/build_web.sh) built first
# when npm is present. Re-running it rebuilds only what changed. Arguments go to `cmake --build`
# (scripts/quickstart.sh passes `--target llmscope`: the server only, not the tests and benches).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build_web.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" "$@"
