#!/usr/bin/python3
"""The CSV of bench/Formula (issue 18): y, x1..x10 (floats written as repr, the shortest text that reads back to the
same double), c1, c2, c3 (levels a00..a49, b00..b49, c00..c49, drawn uniformly). Deterministic (seed 18).
  y = 1 + Σ bⱼ xⱼ + α[c1] + β[c2] + γ[c3] + 0.5 x1 x2 + δ[c1] x1 + N(0, 1)
    make_data.py ROWS OUT.csv [--missing FRACTION]
--missing blanks that fraction of the cells (any column, y included), to check the harness on missing values."""
import sys

import numpy as np
import pandas as pd

argv = sys.argv[1:]
missing = float(argv.pop(argv.index("--missing") + 1)) if "--missing" in argv else 0.0
args = [a for a in argv if a != "--missing"]
if len(args) != 2:
    sys.exit(__doc__)
rows, out = int(args[0]), args[1]

rng = np.random.default_rng(18)
L = 50
X = rng.standard_normal((rows, 10))
codes = rng.integers(0, L, size=(rows, 3))
b = np.linspace(-1.0, 1.0, 10)                    # slopes of x1..x10
alpha, beta, gamma = (rng.normal(0, 1, L) for _ in range(3))
alpha[0] = beta[0] = gamma[0] = 0.0               # the reference levels a00, b00, c00
delta = rng.normal(0, 0.3, L)
delta[0] = 0.0
y = (1.0 + X @ b + alpha[codes[:, 0]] + beta[codes[:, 1]] + gamma[codes[:, 2]]
     + 0.5 * X[:, 0] * X[:, 1] + delta[codes[:, 0]] * X[:, 0] + rng.standard_normal(rows))

df = pd.DataFrame({"y": y})
for j in range(10):
    df[f"x{j + 1}"] = X[:, j]
for k, p in enumerate("abc"):
    df[f"c{k + 1}"] = pd.Categorical.from_codes(codes[:, k], [f"{p}{i:02d}" for i in range(L)]).astype(object)
if missing:
    mask = rng.random(df.shape) < missing
    df = df.astype(object).mask(mask, "")
# pandas writes a float by repr (shortest round trip); chunks keep the memory down at 10⁶ rows.
df.to_csv(out, index=False, chunksize=100_000)
