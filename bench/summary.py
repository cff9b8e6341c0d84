"""Composes bench/results/SUMMARY.md from the results the benchmarks of bench/run-all.sh just wrote."""
import json, os, platform, re, subprocess, sys

start, regression = sys.argv[1], sys.argv[2]
R = "bench/results/"


def read(name):
    with open(R + name) as f:
        return f.read()


def cpu():
    info = open("/proc/cpuinfo").read()
    field = lambda k: (re.search(rf"^{k}\s*:\s*(.*)$", info, re.M) or [None, "?"])[1]
    flags = field("flags").split()
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE only"
    return f"{field('model name')}, family {field('cpu family')} model {field('model')}, {os.cpu_count()} CPUs, {simd}{' + FMA' if 'fma' in flags else ''}"


raw = read("numerics-raw.txt") + read("hessians-raw.txt")
peers = sorted(set(re.findall(r"^# (numpy|torch): (.*)$", raw, re.M)))
peak = max((float(x) for x in re.findall(r"^peak\|[^|]*\|-\|([0-9.]+)", raw, re.M)), default=0)
print("# Benchmarks: summary of one run of `bench/run-all.sh`\n")
print(f"- run: {start} to {subprocess.run(['date', '-u', '+%Y-%m-%d %H:%M UTC'], capture_output=True, text=True).stdout.strip()}")
print(f"- machine: {cpu()}; measured FP64 FMA peak {peak:.1f} GFLOP/s; kernel {platform.release()}")
for p, line in peers:
    print(f"- {p} process: {line}")
print("- each peer ran in a process of its own; the per-benchmark files say how each figure was taken\n")
print("## Numeric engine (`numerics-table.md`, details in `numerics.md`)\n")
print(read("numerics-table.md"))
print("## Hessians (`hessians-table.md`, details in `hessians.md`)\n")
print(read("hessians-table.md"))
print("## Symbolic: derive + simplify + print against SymPy (`symbolic.md`)\n")
sym = read("symbolic.md")
m = re.search(r"^## Headline.*?(?=^## |\Z)", sym, re.M | re.S)
print(m.group(0) if m else "(see symbolic.md)")
print("\n## Linear regression\n")
print(regression if regression.startswith("skipped") else read("regression.md"))
