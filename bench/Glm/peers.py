#!/usr/bin/python3
"""Peers for bench/Glm/run.sh on the same files Nabla reads: scikit-learn LogisticRegression(penalty=None,
solver="lbfgs") and statsmodels Logit().fit() (Newton). One peer per process (the mode says which). Prints `key value`
lines; run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset."""
import statistics
import sys
import time

import numpy as np

mode, folder, n, d, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
X = np.fromfile(f"{folder}/logit_X.bin").reshape(n, d)
y = np.fromfile(f"{folder}/{'pois_y' if mode.endswith('-poisson') else 'logit_y'}.bin")


def median_time(f):
    ts, out = [], None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), out


try:
    from threadpoolctl import threadpool_info
    print("threads", "; ".join(f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} threads={p.get('num_threads')}" for p in threadpool_info()))
except ImportError:
    print("threads threadpoolctl absent")

if mode == "sklearn":
    import sklearn
    from sklearn.linear_model import LogisticRegression
    print("sklearn_version", sklearn.__version__)
    # tol 1e-6 on the projected gradient (scaled as scikit-learn scales it), so that the coefficients agree to ~1e-6.
    fit = lambda: LogisticRegression(penalty=None, solver="lbfgs", tol=1e-6, max_iter=1000).fit(X, y)
    fit()
    t, m = median_time(fit)
    print(f"sklearn_s {t:.3f}")
    print("sklearn_iterations", int(m.n_iter_[0]))
    print("sklearn_w", m.intercept_[0], m.coef_[0][0], m.coef_[0][1])
elif mode == "statsmodels":
    import statsmodels
    import statsmodels.api as sm
    print("statsmodels_version", statsmodels.__version__)
    Xc = sm.add_constant(X)
    fit = lambda: sm.Logit(y, Xc).fit(disp=0)
    t, r = median_time(fit)
    print(f"statsmodels_s {t:.3f}")
    print("statsmodels_iterations", r.mle_retvals["iterations"])
    print("statsmodels_w", r.params[0], r.params[1], r.params[2])
elif mode == "sklearn-poisson":
    from sklearn.linear_model import PoissonRegressor
    fit = lambda: PoissonRegressor(alpha=0, tol=1e-8, max_iter=1000).fit(X, y)
    fit()
    t, m = median_time(fit)
    print(f"sklearn_poisson_s {t:.3f}")
    print("sklearn_poisson_iterations", int(m.n_iter_))
    print("sklearn_poisson_w", m.intercept_, m.coef_[0], m.coef_[1])
elif mode == "statsmodels-poisson":
    import statsmodels.api as sm
    Xc = sm.add_constant(X)
    fit = lambda: sm.GLM(y, Xc, family=sm.families.Poisson()).fit()
    t, r = median_time(fit)
    print(f"statsmodels_poisson_s {t:.3f}")
    print("statsmodels_poisson_iterations", r.fit_history["iteration"])
    print("statsmodels_poisson_w", r.params[0], r.params[1], r.params[2])
