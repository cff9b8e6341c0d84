#!/usr/bin/python3
"""statsmodels for bench/Formula/run.sh (issue 18), end to end on the CSV Nabla reads: pandas.read_csv, then
smf.ols(FORMULA, data=df).fit() — its default method "pinv" (mode statsmodels) or method="qr" (mode statsmodels-qr).
One mode per process. Prints one JSON line: peer, seconds (read + design + solve), read_seconds, fit_seconds (design +
solve), design_seconds (patsy's model matrix, inside smf.ols), solve_seconds, import_seconds (not counted in seconds),
n, columns, coefficients {patsy name: value}, blas (threadpoolctl's view of OpenBLAS).
    peers.py statsmodels|statsmodels-qr FILE [FORMULA]
Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (or OPENBLAS_CORETYPE set to the CPU's family), threads set."""
import json
import math
import os
import sys
import time

FORMULA = "y ~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + C(c1) + C(c2) + C(c3) + x1:x2 + x1:C(c1)"
# The tokens Nabla reads as missing (besides the empty field), so that both leave out the same rows; pandas' own list
# is longer ("N/A", "nan", "None", …) but reads this file the same and as fast.
NA = ["", "NA", "NaN", "null"]

mode, path = sys.argv[1], sys.argv[2]
formula = sys.argv[3] if len(sys.argv) > 3 else FORMULA
methods = {"statsmodels": "pinv", "statsmodels-qr": "qr"}
if mode not in methods:
    sys.exit(f"unknown mode {mode}: statsmodels or statsmodels-qr")

t = time.perf_counter()
import numpy as np
import pandas as pd
import statsmodels
import statsmodels.formula.api as smf
import_s = time.perf_counter() - t

try:
    from threadpoolctl import threadpool_info
    blas = "; ".join(f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} threads={p.get('num_threads')}"
                     for p in threadpool_info())
except ImportError:
    blas = "threadpoolctl absent"

t0 = time.perf_counter()
df = pd.read_csv(path, na_values=NA, keep_default_na=False)
t1 = time.perf_counter()
model = smf.ols(formula, data=df)  # patsy builds the design here (rows with a missing value dropped)
t2 = time.perf_counter()
res = model.fit(method=methods[mode])
t3 = time.perf_counter()

num = lambda v: float(v) if math.isfinite(v) else None
print(json.dumps({
    "peer": mode, "method": methods[mode], "formula": formula,
    "seconds": t3 - t0, "read_seconds": t1 - t0, "fit_seconds": t3 - t1,
    "design_seconds": t2 - t1, "solve_seconds": t3 - t2, "import_seconds": import_s,
    "n": int(res.nobs), "n_read": len(df), "columns": len(res.params), "rank": int(model.rank),
    "coefficients": {k: num(v) for k, v in res.params.items()},
    "blas": blas, "threads_env": os.environ.get("OPENBLAS_NUM_THREADS"),
    "coretype": os.environ.get("OPENBLAS_CORETYPE"),
    "version": f"statsmodels {statsmodels.__version__}, pandas {pd.__version__}, numpy {np.__version__}",
}))
