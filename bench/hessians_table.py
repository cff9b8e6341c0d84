"""bench/results/hessians-raw.txt to a markdown table: best of the per-round medians per implementation,
and Nabla's speed-up over each peer (peer ms / ms of Nabla's default, managed backend), against the issue's goals."""
import re, sys
from collections import defaultdict

text = open(sys.argv[1]).read()
best = defaultdict(lambda: float("inf"))
capped = {}
order = []
for line in text.splitlines():
    parts = line.split("|")
    if len(parts) != 4 or line.startswith("#") or parts[0] == "setup":
        continue
    case, impl, ms, _ = parts
    if (case, impl) not in best:
        order.append((case, impl))
    if ms.startswith(">"):
        capped[(case, impl)] = float(ms[1:])
        best[(case, impl)] = min(best[(case, impl)], float("inf"))
    else:
        best[(case, impl)] = min(best[(case, impl)], float(ms))


def goal(case, impl):
    if "NumPy" in impl:
        return ">= 1x (no slower)"
    if "PyTorch" in impl:
        return ">= 50x" if "x'*A*x" in case else ">= 5x"
    return ""


def fmt(case, impl):
    ms = best[(case, impl)]
    return f"> {capped[(case, impl)] / 1000:.0f} s" if ms == float("inf") else f"{ms:.2f}"


print("| work | implementation | ms (best of round medians) | Nabla's speed-up | goal | met |")
print("|---|---|---:|---:|---|---|")
for case, impl in order:
    nabla = best[(case, "Nabla managed")]  # the default backend
    ms = best[(case, impl)]
    if impl.startswith("Nabla"):
        up, g, met = "", "", ""
    else:
        g = goal(case, impl)
        need = 1 if "NumPy" in impl else (50 if "x'*A*x" in case else 5)
        if ms == float("inf"):
            up = f"> {capped[(case, impl)] / nabla:.0f}x"
            met = "yes" if capped[(case, impl)] / nabla >= need else "unknown"
        else:
            up = f"{ms / nabla:.1f}x"
            met = "yes" if ms / nabla >= need else "no"
    print(f"| {case} | {impl} | {fmt(case, impl)} | {up} | {g} | {met} |")
print()
setups = defaultdict(list)
for line in text.splitlines():
    if line.startswith("setup|"):
        _, case, impl, what = line.split("|")
        setups[(case, impl)].append(what)
print("Setup, once per process (first round): derive + compile, and the first call (lays the plan out, allocates):\n")
for (case, impl), whats in setups.items():
    print(f"- {case}, {impl}: {whats[0]}")
