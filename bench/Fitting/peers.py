#!/usr/bin/python3
"""Peers for bench/Fitting/run.sh, on the same files Nabla reads: NumPy/SciPy normal equations,
scikit-learn LinearRegression, numpy.linalg.lstsq (X in memory), and pandas.read_csv + NumPy (CSV).
Prints `key value` lines. Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset."""
import ctypes
import statistics
import sys
import time

import numpy as np
import scipy.linalg as sla
from scipy.linalg.blas import dsyrk

mode, folder = sys.argv[1], sys.argv[2]


def median_time(f, reps):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


def normal_equations(X, y, syrk):
    """OLS with an intercept from X'X, X'y and the column sums: one product, a Cholesky solve."""
    n, d = X.shape
    G = np.empty((d + 1, d + 1))
    if syrk:
        U = dsyrk(1.0, X.T, trans=0)  # X is C-ordered, so X.T is Fortran-ordered: no copy
        G[1:, 1:] = np.triu(U) + np.triu(U, 1).T
    else:
        G[1:, 1:] = X.T @ X
    s = X.sum(axis=0)
    G[0, 0], G[0, 1:], G[1:, 0] = n, s, s
    b = np.concatenate([[y.sum()], X.T @ y])
    return sla.cho_solve(sla.cho_factor(G), b)


if mode == "config":
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        print("openblas_config", lib.openblas_get_config().decode(), "core:", lib.openblas_get_corename().decode())
    except OSError as e:
        print("openblas_config unknown", e)
    print("numpy_version", np.__version__)

elif mode == "memory":
    n, d, reps = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    X = np.fromfile(f"{folder}/X.bin").reshape(n, d)
    y = np.fromfile(f"{folder}/y.bin")
    normal_equations(X[:1000], y[:1000], True)
    t, w = median_time(lambda: normal_equations(X, y, True), reps)
    print(f"numpy_syrk_normal_s {t:.4f}")
    print("numpy_w0", w[0], w[1], w[-1])
    t, _ = median_time(lambda: normal_equations(X, y, False), reps)
    print(f"numpy_gemm_normal_s {t:.4f}")
    t, _ = median_time(lambda: dsyrk(1.0, X.T, trans=0), reps)
    print(f"numpy_syrk_only_s {t:.4f}")
    from sklearn.linear_model import LinearRegression
    t, m = median_time(lambda: LinearRegression().fit(X, y), 1)
    print(f"sklearn_s {t:.3f}")
    print("sklearn_w0", m.intercept_, m.coef_[0], m.coef_[-1])
    t, _ = median_time(lambda: np.linalg.lstsq(np.column_stack([np.ones(n), X]), y, rcond=None), 1)
    print(f"lstsq_s {t:.3f}")

elif mode == "wide":
    n, d, distinct, reps = (int(v) for v in sys.argv[3:7])
    stem = f"{folder}/wide-{n}-{d}-{distinct}"
    X = np.fromfile(stem + ".X.bin").reshape(n, d)
    y = np.fromfile(stem + ".y.bin")
    D = np.column_stack([np.ones(n), X])
    np.linalg.lstsq(D, y, rcond=None)
    t, (w, _, rank, _) = median_time(lambda: np.linalg.lstsq(D, y, rcond=None), reps)
    print(f"lstsq_wide_s {t:.4f}")
    print(f"lstsq_wide_rank {rank}")
    print("lstsq_wide_w", w[0], w[1], w[-1])

elif mode == "csv":
    import os
    import pandas as pd
    path = f"{folder}/data.csv"
    reps = int(sys.argv[3])

    def run():
        df = pd.read_csv(path)
        y = df["y"].to_numpy()
        X = df.drop(columns="y").to_numpy()
        return normal_equations(X, y, True)
    t, w = median_time(run, reps)
    mb = os.path.getsize(path) / 1e6
    print(f"pandas_csv_s {t:.3f}")
    print(f"pandas_csv_mbps {mb / t:.1f}")
    print("pandas_w0", w[0], w[1])
