#!/usr/bin/env bash
# Cold start of one gradient (issue 15): the native `nabla` (NativeAOT, what ./nabla runs), the JIT build, and
# `python3 -c 'import sympy'` in the same run, by hyperfine (Debian's package). Writes bench/results/startup.md.
# Usage: bench/Startup/run.sh   (builds the native command first through ./nabla when it is stale)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 1; }
./nabla info >/dev/null
NABLA_JIT=1 ./nabla info >/dev/null
native=src/Nabla.Cli/bin/native/Nabla.Cli
jit=src/Nabla.Cli/bin/Release/net10.0/Nabla.Cli
out=bench/results/startup.md
json=$(mktemp); trap 'rm -f "$json"' EXIT
load=$(cut -d' ' -f1 /proc/loadavg)
hyperfine -N --warmup 3 --runs 30 --export-json "$json" \
  -n "nabla grad (native)" "$native grad \"log(1+exp(-y*<w,x>))\" --wrt w" \
  -n "./nabla grad (the launcher: bash, the freshness check, then native)" "./nabla grad \"log(1+exp(-y*<w,x>))\" --wrt w" \
  -n "nabla grad (JIT)" "$jit grad \"log(1+exp(-y*<w,x>))\" --wrt w" \
  -n "python3 -c 'import sympy'" "/usr/bin/python3 -c 'import sympy'" >/dev/null
/usr/bin/python3 - "$json" "$load" > "$out" <<'PY'
import json, platform, subprocess, sys, datetime
runs = json.load(open(sys.argv[1]))["results"]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print("# Cold start: one gradient from the command line\n")
print(f"{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {cpu}, {subprocess.check_output(['nproc']).decode().strip()} CPUs, "
      f"load {sys.argv[2]} before the run. `bench/Startup/run.sh`: hyperfine, 3 warm-up runs (the files in the page cache), "
      "then 30 runs each, no shell (-N).\n")
print("| command | median | mean ± σ | min | max |\n|---|---:|---:|---:|---:|")
for r in runs:
    ms = lambda v: f"{v * 1000:.1f} ms"
    print(f"| {r['command']} | {ms(r['median'])} | {ms(r['mean'])} ± {r['stddev'] * 1000:.1f} | {ms(r['min'])} | {ms(r['max'])} |")
print("\nThe gradient is `log(1+exp(-y*<w,x>))` by `w`: the whole command — start, parse, type, derive, simplify, print.")
PY
cat "$out"
