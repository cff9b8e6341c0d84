"""Turns bench/results/numerics-raw.txt into a markdown table: best median per implementation over the
rounds, the ratio to the peer the issue's goal names, and % of the measured FMA peak for GFLOP/s."""
import re, sys
from collections import defaultdict

REFERENCE = {  # case -> the peer the goal is stated against
    "GEMM 2000x2000": "NumPy (OpenBLAS)",
    "logistic loss+gradient 1e6x100": "PyTorch autograd",
    "gradient of x'*A*x, n=4000": "NumPy A@x + A.T@x",
    "gradient of logdet(X), n=500": "NumPy inv(X).T",
}
GOAL = {
    "GEMM 2000x2000": "managed >= 33 GFLOP/s",
    "logistic loss+gradient 1e6x100": "<= 0.5x torch",
    "gradient of x'*A*x, n=4000": "<= 1.0x NumPy",
    "gradient of logdet(X), n=500": "<= 1.0x NumPy",
}

text = open(sys.argv[1]).read()
peak = 0.0
for m in re.finditer(r"peak\|([^|]*)\|-\|([0-9.]+)", text):
    peak = max(peak, float(m.group(2)))
best = defaultdict(lambda: (float("inf"), None))
order = []
for line in text.splitlines():
    parts = line.split("|")
    if len(parts) != 4 or parts[0] == "peak" or line.startswith("#"):
        continue
    case, impl, ms, gf = parts
    key = (case, impl)
    if key not in best:
        order.append(key)
    if float(ms) < best[key][0]:
        best[key] = (float(ms), None if gf == "-" else float(gf))

print(f"Measured FP64 FMA peak in this run: **{peak:.1f} GFLOP/s** (best of the probes at the start and the end, all cores, widest vectors).\n")
print("Each figure is the best of the per-round medians; the ratio is to the peer the goal names.\n")
print("| work | implementation | median ms | GFLOP/s | % of peak | ratio to reference | goal |")
print("|---|---|---:|---:|---:|---:|---|")
for case, impl in order:
    ms, gf = best[(case, impl)]
    ref = best.get((case, REFERENCE.get(case)), (None,))[0]
    ratio = f"{ms / ref:.2f}x" if ref else "-"
    pct = f"{100 * gf / peak:.0f}%" if gf and peak else "-"
    gfs = f"{gf:.1f}" if gf else "-"
    print(f"| {case} | {impl} | {ms:.2f} | {gfs} | {pct} | {ratio} | {GOAL.get(case, '')} |")
