#!/usr/bin/env bash
# Load benchmark of `nabla serve`: wrk (Debian's package) with 64 connections for 30 s against
# POST /api/derive on loopback, rotating the seed's requests. Usage: bench/web/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-30}
connections=${2:-64}
port=${NABLA_BENCH_PORT:-5097}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 1; }
seed=tests/cases/seed.jsonl
if [ -f "$seed" ]; then
  # The request objects of the seed's cases, one per line.
  python3 -c 'import json,sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line: print(json.dumps(json.loads(line)["request"], separators=(",", ":")))' "$seed" > bench/web/bodies.jsonl
fi
./nabla --help >/dev/null   # builds the Release command line when needed
./nabla serve --urls "http://127.0.0.1:$port" > /tmp/nabla-bench-serve.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done
# Warm up (JIT), then measure.
wrk -t2 -c"$connections" -d5s -s bench/web/derive.lua "http://127.0.0.1:$port" > /dev/null
echo "wrk -t2 -c$connections -d${duration}s --latency, $(nproc) cores, $(wc -l < bench/web/bodies.jsonl) request bodies"
wrk -t2 -c"$connections" -d"${duration}s" --timeout 20s --latency -s bench/web/derive.lua "http://127.0.0.1:$port"
