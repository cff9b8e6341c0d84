"""Turns bench/results/numerics-raw.txt into a markdown table: best median per implementation over the
rounds, the ratio to the peer the issue's goal names, and % of the measured FMA peak for GFLOP/s."""
import re, sys
from collections import defaultdict

REFERENCE = {  # case -> the peers the goal is stated against (the best of them counts)
    "GEMM 2000x2000": ["NumPy (OpenBLAS)"],
    "logistic loss+gradient 1e6x100": ["NumPy (hand-written)", "PyTorch autograd"],
    "gradient of x'*A*x, n=4000": ["NumPy A@x + A.T@x"],
    "gradient of logdet(X), n=500": ["NumPy inv(X).T"],
    "expm(A), n=500": ["SciPy 1.10.1 expm"],
    "expm_frechet(A, E), n=500": ["SciPy expm_frechet"],
    "gradient of tr(expm(A)*B), n=500": ["SciPy expm_frechet(A.T, B.T)"],
}
GOAL = {  # case -> (the largest time ratio to the reference that meets the goal, the goal in words): issue "Honest speed"
    "GEMM 2000x2000": (1.0, "<= 1.0x NumPy (as fast)"),
    "logistic loss+gradient 1e6x100": (0.5, "<= 0.5x the best of NumPy and torch"),
    "gradient of x'*A*x, n=4000": (1.0, "<= 1.0x NumPy"),
    "gradient of logdet(X), n=500": (1.0, "<= 1.0x NumPy"),
    "expm(A), n=500": (1.5, "<= 1.5x SciPy"),  # issue "Beyond every peer's language"
    "expm_frechet(A, E), n=500": (1.5, "<= 1.5x SciPy"),
    "gradient of tr(expm(A)*B), n=500": (1.5, "<= 1.5x SciPy"),
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
    impl = impl.split(" [CORETYPE=")[0]  # NumPy rerun on the CPU family's kernel: the better of the two counts
    key = (case, impl)
    if key not in best:
        order.append(key)
    if float(ms) < best[key][0]:
        best[key] = (float(ms), None if gf == "-" else float(gf))

print(f"Measured FP64 FMA peak in this run: **{peak:.1f} GFLOP/s** (best of the probes at the start and the end, all cores, widest vectors).\n")
print("Each figure is the best of the per-round medians; the ratio is the time over the best of the peers the goal names.\n")
print("| work | implementation | median ms | GFLOP/s | % of peak | ratio to reference | goal | met |")
print("|---|---|---:|---:|---:|---:|---|---|")
for case, impl in order:
    ms, gf = best[(case, impl)]
    refs = [best[(case, r)][0] for r in REFERENCE.get(case, []) if (case, r) in best]
    ref = min(refs) if refs else None
    ratio = f"{ms / ref:.2f}x" if ref else "-"
    pct = f"{100 * gf / peak:.0f}%" if gf and peak else "-"
    gfs = f"{gf:.1f}" if gf else "-"
    limit, words = GOAL.get(case, (None, ""))
    met = "-" if not impl.startswith("Nabla") or ref is None or limit is None else ("yes" if ms / ref <= limit else "**no**")
    print(f"| {case} | {impl} | {ms:.2f} | {gfs} | {pct} | {ratio} | {words} | {met} |")
