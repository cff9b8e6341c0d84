"""NumPy or PyTorch — one peer per process, never both — on the same data as bench/Nabla.Numerics.Bench.

Prints one line per measurement: case|implementation|median ms|GFLOP/s (or -), and '#' lines that say how the
peer runs (version, BLAS, kernel architecture and threads from threadpoolctl, torch's thread count).
Run with Debian's interpreter: /usr/bin/python3 bench/peers.py numpy|torch [gemm logistic quadratic logdet expm]
Importing torch beside NumPy oversubscribes the threads and slows NumPy's BLAS several-fold (issue "Honest
speed"), so bench/run-numerics.sh starts one process per peer and case.
"""
import os, sys, time
import numpy as np

PEER = sys.argv[1] if len(sys.argv) > 1 else "numpy"
if PEER not in ("numpy", "torch"):
    sys.exit("usage: peers.py numpy|torch [cases...]")
THREADS = len(os.sched_getaffinity(0))
if PEER == "torch":
    import torch
    torch.set_num_threads(THREADS)
    assert torch.get_num_threads() == THREADS, "torch did not take the thread count"


def describe():
    try:
        from threadpoolctl import threadpool_info
        pools = "; ".join(f"{p.get('internal_api')} {p.get('version')} kernel {p.get('architecture')} threads {p.get('num_threads')}"
                          for p in threadpool_info())
    except ImportError:
        pools = "threadpoolctl not installed"
    extra = f", torch {torch.__version__} with {torch.get_num_threads()} threads" if PEER == "torch" else ""
    core = os.environ.get("OPENBLAS_CORETYPE")
    print(f"# {PEER}: numpy {np.__version__}{extra}; {pools}" + (f"; OPENBLAS_CORETYPE={core}" if core else ""), flush=True)


def label(name):
    core = os.environ.get("OPENBLAS_CORETYPE")
    return f"{name} [CORETYPE={core}]" if core and PEER == "numpy" else name


def data(rows, cols, salt=0):
    k = np.arange(rows * cols, dtype=np.int64) + salt
    return ((k * 7919 % 1000) / 500.0 - 1).reshape(rows, cols)


def timeit(body, reps):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.3:
        body()
    ms = []
    for _ in range(reps):
        t = time.perf_counter()
        body()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return ms[len(ms) // 2]


def report(what, impl, ms, flops=0):
    gf = f"{flops / ms / 1e6:.1f}" if flops else "-"
    print(f"{what}|{impl}|{ms:.2f}|{gf}", flush=True)


def gemm():
    n = 2000
    a, b = data(n, n, 1), data(n, n, 2)
    if PEER == "numpy":
        report("GEMM 2000x2000", label("NumPy (OpenBLAS)"), timeit(lambda: a @ b, 7), 2.0 * n ** 3)
        return
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    report("GEMM 2000x2000", "PyTorch", timeit(lambda: ta @ tb, 7), 2.0 * n ** 3)


def logistic():
    m, d = 1_000_000, 100
    X = data(m, d, 3)
    y = np.where(data(m, 1, 4)[:, 0] >= 0, 1.0, -1.0)
    w = data(d, 1, 5)[:, 0] * 0.1

    def np_loss_grad():
        z = -y * (X @ w)
        loss = np.logaddexp(0, z).sum()
        r = -y / (1 + np.exp(-z))  # -y .* sigmoid(z)
        return loss, X.T @ r

    if PEER == "numpy":
        report("logistic loss+gradient 1e6x100", label("NumPy (hand-written)"), timeit(np_loss_grad, 7))
        loss, g = np_loss_grad()
        print(f"logistic: loss {loss!r}, g[0] {g[0]!r}", file=sys.stderr)
        return
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    tw = torch.from_numpy(w.copy()).requires_grad_(True)

    def torch_loss_grad():
        tw.grad = None
        loss = torch.nn.functional.softplus(-ty * (tX @ tw)).sum()
        loss.backward()
        return loss.item(), tw.grad

    report("logistic loss+gradient 1e6x100", "PyTorch autograd", timeit(torch_loss_grad, 7))


def quadratic():
    n = 4000
    A, x = data(n, n, 6), data(n, 1, 7)[:, 0]
    if PEER == "numpy":
        report("gradient of x'*A*x, n=4000", label("NumPy A@x + A.T@x"), timeit(lambda: A @ x + A.T @ x, 21), 4.0 * n * n)
        print(f"quadratic: g[0] {(A @ x + A.T @ x)[0]!r}", file=sys.stderr)
        return
    tA = torch.from_numpy(A)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)

    def torch_grad():
        tx.grad = None
        (tx @ (tA @ tx)).backward()
        return tx.grad

    report("gradient of x'*A*x, n=4000", "PyTorch autograd", timeit(torch_grad, 21), 4.0 * n * n)


def logdet():
    n = 500
    X = data(n, n, 8) + n * np.eye(n)
    if PEER == "numpy":
        report("gradient of logdet(X), n=500", label("NumPy inv(X).T"), timeit(lambda: np.linalg.inv(X).T, 21), 2.0 * n ** 3)
        print(f"logdet: g[0] {np.linalg.inv(X).T[0, 0]!r}", file=sys.stderr)
        return
    tX = torch.from_numpy(X.copy()).requires_grad_(True)

    def torch_grad():
        tX.grad = None
        torch.logdet(tX).backward()
        return tX.grad

    report("gradient of logdet(X), n=500", "PyTorch autograd", timeit(torch_grad, 21), 2.0 * n ** 3)


def expm():
    n = 500
    A = data(n, n, 9) * (20.0 / n)
    E = data(n, n, 10)
    if PEER == "numpy":
        import scipy, scipy.linalg
        report("expm(A), n=500", label(f"SciPy {scipy.__version__} expm"), timeit(lambda: scipy.linalg.expm(A), 11))
        report("expm_frechet(A, E), n=500", label("SciPy expm_frechet"), timeit(lambda: scipy.linalg.expm_frechet(A, E, compute_expm=False), 11))
        # the gradient of tr(expm(A)*B) is L(A', B'): SciPy's way to it
        report("gradient of tr(expm(A)*B), n=500", label("SciPy expm_frechet(A.T, B.T)"), timeit(lambda: scipy.linalg.expm_frechet(A.T, E.T, compute_expm=False), 11))
        print(f"expm: X[0,0] {scipy.linalg.expm(A)[0, 0]!r}, L[0,0] {scipy.linalg.expm_frechet(A, E, compute_expm=False)[0, 0]!r}", file=sys.stderr)
        return
    tA = torch.from_numpy(A.copy())
    report("expm(A), n=500", "PyTorch matrix_exp", timeit(lambda: torch.linalg.matrix_exp(tA), 11))
    tB = torch.from_numpy(E.copy())
    tAg = tA.clone().requires_grad_(True)

    def torch_grad():
        tAg.grad = None
        torch.trace(torch.linalg.matrix_exp(tAg) @ tB).backward()
        return tAg.grad

    report("gradient of tr(expm(A)*B), n=500", "PyTorch autograd", timeit(torch_grad, 11))


if __name__ == "__main__":
    describe()
    cases = sys.argv[2:] or ["gemm", "logistic", "quadratic", "logdet"]
    for c in cases:
        globals()[c]()
