"""Times generated NumPy modules against hand-written NumPy for the same value and gradient (median of repeats)."""
import importlib.util, os, platform, sys, time
import numpy as np

try:
    from threadpoolctl import threadpool_info
    pools = "; ".join(f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} threads={p.get('num_threads')}" for p in threadpool_info())
except ImportError:
    pools = "threadpoolctl absent"


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(path, name + ".py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return getattr(m, name)


def expit(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def hand_logistic(X, w, y):
    z = X @ w
    return np.sum(np.logaddexp(0, -y * z)), -(X.T @ (y * expit(-y * z)))


def hand_quadratic(x, A):
    Ax = A @ x
    return x @ Ax, Ax + A.T @ x


def hand_trinv(X, A):
    Xi = np.linalg.inv(X)
    return np.sum(Xi * A.T), -(Xi @ A @ Xi).T


def hand_gauss(x, m, S):
    L = np.linalg.cholesky(S)
    r = x - m
    a = np.linalg.solve(S, r)
    value = -np.sum(np.log(np.diag(L))) - r @ a / 2
    Si = np.linalg.inv(S)
    return value, a, (np.outer(a, a) - Si) / 2


def median_times(f, g, args, repeats):
    """Medians of f's and g's times, in alternating blocks of ten calls (drift in the machine's speed reaches both alike)."""
    f(**args); g(**args)
    tf, tg = [], []
    block = min(10, repeats)
    for _ in range(0, repeats, block):
        for fn, into in ((f, tf), (g, tg)):
            for _ in range(block):
                t = time.perf_counter(); fn(**args); into.append(time.perf_counter() - t)
    return float(np.median(tf)), float(np.median(tg))


def main(path):
    rng = np.random.default_rng(1)
    m, n = 10000, 100
    X = rng.standard_normal((m, n)); y = np.sign(rng.standard_normal(m)); w = rng.standard_normal(n) / 10
    N = 1000
    A = rng.standard_normal((N, N)); x = rng.standard_normal(N)
    Xs = rng.standard_normal((N, N)) + N ** 0.5 * np.eye(N)
    B = rng.standard_normal((N, N)); S = B @ B.T / N + np.eye(N); mu = rng.standard_normal(N)
    cases = [
        ("logistic loss, 10000×100", load(path, "logistic"), hand_logistic, dict(X=X, w=w, y=y), 200),
        ("x'*A*x, n = 1000", load(path, "quadratic"), hand_quadratic, dict(x=x, A=A), 200),
        ("tr(inv(X)*A), n = 1000", load(path, "trinv"), hand_trinv, dict(X=Xs, A=A), 10),
        ("Gaussian log-likelihood by m and S, n = 1000", load(path, "gauss"), hand_gauss, dict(x=x, m=mu, S=S), 10),
    ]
    print(f"NumPy {np.__version__}, {pools}\n")
    print("| value + gradient | generated | hand-written | ratio (goal ≤ 1.1) |")
    print("|---|---|---|---|")
    for name, gen, hand, args, reps in cases:
        gv, hv = gen(**args), hand(**args)
        for a, b in zip(gv, hv):
            assert np.allclose(a, b, rtol=1e-8, atol=1e-8), name
        tg, th = median_times(gen, hand, args, reps)
        print(f"| {name} | {tg * 1e3:.2f} ms | {th * 1e3:.2f} ms | {tg / th:.2f}{'' if tg / th <= 1.1 else ' (not met)'} |")


main(sys.argv[1])
