"""The Hessian cases of bench/Nabla.Numerics.Bench (`hess`) in PyTorch and NumPy, on the same data.

torch.autograd.functional.hessian with vectorize=True and vectorize=False, and the hand-written NumPy
closed forms (A + A.T; X.T @ (s * X) with s = sigmoid(z)(1 - sigmoid(z))). A measurement whose first
call runs past CAP seconds is stopped (SIGALRM, between PyTorch's per-row backward passes) and printed
as "> CAP s". One line per measurement: case|implementation|median ms|-  ("-" for ms when capped,
with the cap in a note line).
Run with Debian's interpreter: /usr/bin/python3 bench/peers_hessians.py numpy|torch [CAP] [quad logistic]
One peer per process: NumPy never runs beside torch (issue "Honest speed").
"""
import os, signal, sys, time
import numpy as np

PEER = sys.argv[1] if len(sys.argv) > 1 else ""
if PEER not in ("numpy", "torch"):
    sys.exit("usage: peers_hessians.py numpy|torch [CAP] [quad logistic]")
del sys.argv[1]
THREADS = len(os.sched_getaffinity(0))
if PEER == "torch":
    import torch
    from torch.autograd.functional import hessian
    torch.set_num_threads(THREADS)
    assert torch.get_num_threads() == THREADS, "torch did not take the thread count"
CAP = float(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].replace(".", "").isdigit() else 60.0
sys.argv = [a for a in sys.argv if a.replace(".", "").isdigit() is False or a == sys.argv[0]]


def data(rows, cols, salt=0):
    k = np.arange(rows * cols, dtype=np.int64) + salt
    return ((k * 7919 % 1000) / 500.0 - 1).reshape(rows, cols)


class Capped(Exception):
    pass


def _alarm(signum, frame):
    raise Capped()


signal.signal(signal.SIGALRM, _alarm)


def timeit(body, reps=7):
    """Median ms; a first call over 1 s is the only sample; None when the first call passes CAP."""
    signal.setitimer(signal.ITIMER_REAL, CAP)
    try:
        t = time.perf_counter()
        body()
        first = time.perf_counter() - t
    except Capped:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if first > 1.0:
        return first * 1000, 1
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.5:
        body()
    ms = []
    for _ in range(reps):
        t = time.perf_counter()
        body()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return ms[len(ms) // 2], reps


def report(what, impl, result):
    if result is None:
        print(f"{what}|{impl}|>{CAP * 1000:.0f}|-", flush=True)
    else:
        print(f"{what}|{impl}|{result[0]:.3f}|-" + ("" if result[1] > 1 else ""), flush=True)


def check(what, h):
    h = np.asarray(h)
    print(f"{what}: H[0,0] {h[0, 0]!r}, H[0,1] {h[0, 1]!r}, sum {h.sum()!r}", file=sys.stderr)


def quad():
    for n in (1000, 4000):
        what = f"Hessian of x'*A*x, n={n}"
        A, x = data(n, n, 6), data(n, 1, 7)[:, 0]
        if PEER == "numpy":
            report(what, "NumPy A + A.T", timeit(lambda: A + A.T, 11))
            check(what + " (NumPy)", A + A.T)
            continue
        tA, tx = torch.from_numpy(A), torch.from_numpy(x.copy())
        f = lambda v: v @ (tA @ v)
        for vec in (True, False):
            r = timeit(lambda: hessian(f, tx, vectorize=vec), 5)
            report(what, f"PyTorch hessian vectorize={vec}", r)
        check(what + " (PyTorch)", hessian(f, tx, vectorize=True).numpy())


def logistic():
    m = 10_000
    for d in (100, 500):
        what = f"Hessian of logistic loss, m=1e4, d={d}"
        X = data(m, d, 3)
        y = np.where(data(m, 1, 4)[:, 0] >= 0, 1.0, -1.0)
        w = data(d, 1, 5)[:, 0] * 0.1

        def closed_form():
            p = 1 / (1 + np.exp(y * (X @ w)))  # sigmoid(-y.*(X*w))
            s = p * (1 - p)                       # y.^2 = 1
            return X.T @ (s[:, None] * X)

        if PEER == "numpy":
            report(what, "NumPy X.T @ (s*X)", timeit(closed_form, 11))
            check(what + " (NumPy)", closed_form())
            continue
        tX, ty, tw = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(w.copy())
        f = lambda v: torch.nn.functional.softplus(-ty * (tX @ v)).sum()
        for vec in (True, False):
            report(what, f"PyTorch hessian vectorize={vec}", timeit(lambda: hessian(f, tw, vectorize=vec), 5))
        check(what + " (PyTorch)", hessian(f, tw, vectorize=True).numpy())


if __name__ == "__main__":
    try:
        from threadpoolctl import threadpool_info
        pools = "; ".join(f"{p.get('internal_api')} {p.get('version')} kernel {p.get('architecture')} threads {p.get('num_threads')}" for p in threadpool_info())
    except ImportError:
        pools = "threadpoolctl not installed"
    print(f"# {PEER}: numpy {np.__version__}" + (f", torch {torch.__version__} with {torch.get_num_threads()} threads" if PEER == "torch" else "") + f"; {pools}", flush=True)
    for c in sys.argv[1:] or ["quad", "logistic"]:
        globals()[c]()
