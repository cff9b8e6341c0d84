"""NumPy and PyTorch on the same data as bench/Nabla.Numerics.Bench (same integer formulas).

Prints one line per measurement: case|implementation|median ms|GFLOP/s (or -).
Run with Debian's interpreter: /usr/bin/python3 bench/peers.py [gemm logistic quadratic logdet]
"""
import sys, time
import numpy as np
import torch

torch.set_num_threads(2)


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
    report("GEMM 2000x2000", "NumPy (OpenBLAS)", timeit(lambda: a @ b, 7), 2.0 * n ** 3)
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

    report("logistic loss+gradient 1e6x100", "NumPy (hand-written)", timeit(np_loss_grad, 7))
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    tw = torch.from_numpy(w.copy()).requires_grad_(True)

    def torch_loss_grad():
        tw.grad = None
        loss = torch.nn.functional.softplus(-ty * (tX @ tw)).sum()
        loss.backward()
        return loss.item(), tw.grad

    report("logistic loss+gradient 1e6x100", "PyTorch autograd", timeit(torch_loss_grad, 7))
    loss, g = np_loss_grad()
    print(f"logistic: loss {loss!r}, g[0] {g[0]!r}", file=sys.stderr)


def quadratic():
    n = 4000
    A, x = data(n, n, 6), data(n, 1, 7)[:, 0]
    report("gradient of x'*A*x, n=4000", "NumPy A@x + A.T@x", timeit(lambda: A @ x + A.T @ x, 21), 4.0 * n * n)
    tA = torch.from_numpy(A)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)

    def torch_grad():
        tx.grad = None
        (tx @ (tA @ tx)).backward()
        return tx.grad

    report("gradient of x'*A*x, n=4000", "PyTorch autograd", timeit(torch_grad, 21), 4.0 * n * n)
    print(f"quadratic: g[0] {(A @ x + A.T @ x)[0]!r}", file=sys.stderr)


def logdet():
    n = 500
    X = data(n, n, 8) + n * np.eye(n)
    report("gradient of logdet(X), n=500", "NumPy inv(X).T", timeit(lambda: np.linalg.inv(X).T, 21), 2.0 * n ** 3)
    tX = torch.from_numpy(X.copy()).requires_grad_(True)

    def torch_grad():
        tX.grad = None
        torch.logdet(tX).backward()
        return tX.grad

    report("gradient of logdet(X), n=500", "PyTorch autograd", timeit(torch_grad, 21), 2.0 * n ** 3)
    print(f"logdet: g[0] {np.linalg.inv(X).T[0, 0]!r}", file=sys.stderr)


if __name__ == "__main__":
    cases = sys.argv[1:] or ["gemm", "logistic", "quadratic", "logdet"]
    for c in cases:
        globals()[c]()
