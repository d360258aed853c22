#!/usr/bin/env bash
# The reliability load check: the real `llmscope serve` (./build) on 127.0.0.1 with a
# fresh data directory, 64 concurrent ingest clients (single samples on keep-alive connections)
# plus 16 dashboard readers (12 cycling GET /api/stats/spc, /api/violations and /api/series,
# 4 holding SSE /api/stream) for LLMSCOPE_LOAD_SECONDS (default 20) seconds. Prints p50/p99 per
# kind and fails unless every request succeeded. Writes the figures to build/load-report.json.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${LLMSCOPE_LOAD_SECONDS:-20}
cmake --build --preset default --target llmscope server_ingest_load >/dev/null
data=$(mktemp -d /tmp/llmscope-load-XXXXXX)
key=load-check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
LLMSCOPE_API_KEY=$key ./build/src/app/llmscope serve --no-simulated --listen 127.0.0.1:0 \
  --data-dir "$data" >"$data/serve.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
port=""
for _ in $(seq 200); do  # the port it took is in its "listening on" line
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$data/serve.log")
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then echo "load-check: the server did not start"; cat "$data/serve.log"; exit 1; fi
status=0
./build/bench/server_ingest_load --base "http://127.0.0.1:$port" --key "$key" --batch 1 \
  --connections 64 --requests 100000 --seconds "$seconds" --readers 12 --streams 4 \
  --pid "$server" >build/load-report.json || status=$?
cat build/load-report.json
if ! kill -0 "$server" 2>/dev/null; then
  echo "load-check: the server died"; cat "$data/serve.log"; exit 1
fi
if [ "$status" -ne 0 ]; then echo "load-check: errors under load (see above)"; exit 1; fi
echo "load-check: no errors"
