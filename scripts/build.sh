#!/usr/bin/env bash
# Installs what is missing (scripts/install-deps.sh), then configures and builds LLMscope in
# ./build (Release with debug info). Re-running it rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
