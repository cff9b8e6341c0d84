using System.Buffers;
using System.Numerics.Tensors;

namespace Nabla.LinearAlgebra;

/// <summary>
/// The LAPACK part of the managed backend, row-major. LU and the triangular solves are blocked so that
/// most of their work runs through GEMM; Cholesky, QR and the Jacobi eigensolver are the plain algorithms.
/// LU pivots are 0-based: at step k, row k was swapped with row ipiv[k].
/// </summary>
internal sealed partial class ManagedBlas
{
    private const int NB = 64;

    public bool Potrf(int n, Span<double> a)
    {
        for (int j = 0; j < n; j++)
        {
            var lj = a.Slice(j * n, j);
            double d = a[j * n + j] - TensorPrimitives.Dot(lj, lj);
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
                a[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot(a.Slice(i * n, j), lj)) / d;
        }
        return true;
    }

    public void Potrs(int n, int nrhs, ReadOnlySpan<double> l, Span<double> b)
    {
        for (int i = 0; i < n; i++)
        {
            var bi = b.Slice(i * nrhs, nrhs);
            for (int p = 0; p < i; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * nrhs, nrhs), -l[i * n + p], bi, bi);
            TensorPrimitives.Divide(bi, l[i * n + i], bi);
        }
        for (int i = n - 1; i >= 0; i--)
        {
            var bi = b.Slice(i * nrhs, nrhs);
            for (int p = i + 1; p < n; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * nrhs, nrhs), -l[p * n + i], bi, bi);
            TensorPrimitives.Divide(bi, l[i * n + i], bi);
        }
    }

    public bool Getrf(int n, Span<double> a, Span<int> ipiv)
    {
        for (int k0 = 0; k0 < n; k0 += NB)
        {
            int k1 = Math.Min(n, k0 + NB);
            if (!Panel(a, n, k0, k1, ipiv)) return false;
            if (k1 == n) break;
            // U12 = inv(L11)·A12, then A22 -= L21·U12 (the GEMM that carries most of the work).
            int w = n - k1;
            DiagonalBlock(a, a[k1..], n, n, k0, k1, w, lower: true);
            Gemm(false, false, w, w, k1 - k0, -1, a[(k1 * n + k0)..], n, a[(k0 * n + k1)..], n, 1, a[(k1 * n + k1)..], n);
        }
        return true;
    }

    /// <summary>
    /// LU of the panel columns c0..c1 (rows c0..n), unblocked. The panel is copied out column-major so that
    /// the pivot search, the scaling and the rank-1 updates run down contiguous columns, then copied back;
    /// the row swaps are applied to the columns outside the panel afterwards.
    /// </summary>
    private static bool Panel(Span<double> a, int n, int c0, int c1, Span<int> ipiv)
    {
        int rows = n - c0, w = c1 - c0;
        var buf = ArrayPool<double>.Shared.Rent(rows * w);
        try
        {
            var pan = buf.AsSpan(0, rows * w);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < w; j++) pan[j * rows + i] = a[(c0 + i) * n + c0 + j];
            for (int k = 0; k < w; k++)
            {
                var col = pan.Slice(k * rows, rows);
                int p = k + TensorPrimitives.IndexOfMaxMagnitude<double>(col[k..]);
                ipiv[c0 + k] = c0 + p;
                if (col[p] == 0) return false;
                if (p != k)
                    for (int j = 0; j < w; j++) (pan[j * rows + k], pan[j * rows + p]) = (pan[j * rows + p], pan[j * rows + k]);
                var below = col[(k + 1)..];
                TensorPrimitives.Multiply(below, 1 / col[k], below);
                for (int j = k + 1; j < w; j++)
                {
                    var cj = pan.Slice(j * rows + k + 1, rows - k - 1);
                    TensorPrimitives.MultiplyAdd(below, -pan[j * rows + k], cj, cj);
                }
            }
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < w; j++) a[(c0 + i) * n + c0 + j] = pan[j * rows + i];
            for (int k = c0; k < c1; k++)
            {
                int p = ipiv[k];
                if (p == k) continue;
                Swap(a.Slice(k * n, c0), a.Slice(p * n, c0));
                Swap(a.Slice(k * n + c1, n - c1), a.Slice(p * n + c1, n - c1));
            }
            return true;
        }
        finally { ArrayPool<double>.Shared.Return(buf); }
    }

    public void Getrs(int n, int nrhs, ReadOnlySpan<double> lu, ReadOnlySpan<int> ipiv, Span<double> b)
    {
        for (int k = 0; k < n; k++)
            if (ipiv[k] != k) Swap(b.Slice(k * nrhs, nrhs), b.Slice(ipiv[k] * nrhs, nrhs));
        SolveLowerUnit(n, nrhs, lu, b);
        SolveUpper(n, nrhs, lu, b);
    }

    private static void Swap(Span<double> x, Span<double> y)
    {
        for (int j = 0; j < x.Length; j++) (x[j], y[j]) = (y[j], x[j]);
    }

    /// <summary>
    /// B := inv(L)·B with L unit lower (blocked: small solves plus one GEMM per block row). When B is the
    /// identity, inv(L) is lower triangular, so only the first k1 columns of a block row are ever non-zero.
    /// </summary>
    private void SolveLowerUnit(int n, int nrhs, ReadOnlySpan<double> l, Span<double> b, bool identity = false)
    {
        for (int k0 = 0; k0 < n; k0 += NB)
        {
            int k1 = Math.Min(n, k0 + NB);
            int cols = identity ? k1 : nrhs;
            DiagonalBlock(l, b, n, nrhs, k0, k1, cols, lower: true);
            if (k1 < n) Gemm(false, false, n - k1, cols, k1 - k0, -1, l[(k1 * n + k0)..], n, b[(k0 * nrhs)..], nrhs, 1, b[(k1 * nrhs)..], nrhs);
        }
    }

    /// <summary>B := inv(U)·B with U upper (blocked, bottom block first).</summary>
    private void SolveUpper(int n, int nrhs, ReadOnlySpan<double> u, Span<double> b)
    {
        for (int k1 = n; k1 > 0; k1 -= NB)
        {
            int k0 = Math.Max(0, k1 - NB);
            DiagonalBlock(u, b, n, nrhs, k0, k1, nrhs, lower: false);
            if (k0 > 0) Gemm(false, false, k0, nrhs, k1 - k0, -1, u[k0..], n, b[(k0 * nrhs)..], nrhs, 1, b, nrhs);
        }
    }

    /// <summary>
    /// The solve with the diagonal block T = t[k0:k1, k0:k1] (unit lower, or upper) on columns 0..cols of
    /// block row k0..k1 of B. Columns are independent, so wide right-hand sides are split over the threads.
    /// </summary>
    private unsafe void DiagonalBlock(ReadOnlySpan<double> t, Span<double> b, int n, int nrhs, int k0, int k1, int cols, bool lower)
    {
        int threads = cols >= 256 && Threads > 1 ? Threads : 1;
        fixed (double* pt = t, pb = b)
        {
            var job = t_solve ??= new SolveJob();
            job.T = pt; job.B = pb; job.N = n; job.Nrhs = nrhs; job.K0 = k0; job.K1 = k1; job.Cols = cols; job.Lower = lower; job.Threads = threads;
            if (threads == 1) job.Body(0);
            else WorkerTeam.Shared.Run(threads, job.Body);
        }
    }

    [ThreadStatic] private static SolveJob? t_solve;

    private sealed unsafe class SolveJob
    {
        public double* T, B;
        public int N, Nrhs, K0, K1, Cols, Threads;
        public bool Lower;

        public SolveJob() => Body = Run;

        public Action<int> Body { get; }

        private void Run(int part)
        {
            int c0 = Cols * part / Threads, c1 = Cols * (part + 1) / Threads, w = c1 - c0;
            if (w <= 0) return;
            if (Lower)
                for (int i = K0 + 1; i < K1; i++)
                {
                    var bi = new Span<double>(B + (long)i * Nrhs + c0, w);
                    for (int p = K0; p < i; p++) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(B + (long)p * Nrhs + c0, w), -T[(long)i * N + p], bi, bi);
                }
            else
                for (int i = K1 - 1; i >= K0; i--)
                {
                    var bi = new Span<double>(B + (long)i * Nrhs + c0, w);
                    for (int p = i + 1; p < K1; p++) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(B + (long)p * Nrhs + c0, w), -T[(long)i * N + p], bi, bi);
                    TensorPrimitives.Divide(bi, T[(long)i * N + i], bi);
                }
        }
    }

    public void Getri(int n, Span<double> lu, ReadOnlySpan<int> ipiv)
    {
        // inv(A) = inv(U)·inv(L)·P' (P'A = LU): solve against the identity, then undo the row swaps on the columns.
        var buf = ArrayPool<double>.Shared.Rent(n * n);
        try
        {
            var x = buf.AsSpan(0, n * n);
            x.Clear();
            for (int i = 0; i < n; i++) x[i * n + i] = 1;
            SolveLowerUnit(n, n, lu, x, identity: true);
            SolveUpper(n, n, lu, x);
            for (int k = n - 1; k >= 0; k--)
            {
                int p = ipiv[k];
                if (p == k) continue;
                for (int i = 0; i < n; i++) (x[i * n + k], x[i * n + p]) = (x[i * n + p], x[i * n + k]);
            }
            x.CopyTo(lu);
        }
        finally { ArrayPool<double>.Shared.Return(buf); }
    }

    public (double logAbsDet, int sign) LuDeterminant(int n, ReadOnlySpan<double> lu, ReadOnlySpan<int> ipiv) =>
        Blas.LogDetFromLu(n, lu, ipiv, pivotBase: 0);

    public bool Gels(int m, int n, Span<double> a, Span<double> b)
    {
        // Householder QR: apply each reflection to the remaining columns and to b, then back-substitute R·x = Q'b.
        var diag = ArrayPool<double>.Shared.Rent(n);
        try
        {
            double scale = 0;
            foreach (var v in a[..(m * n)]) scale = Math.Max(scale, Math.Abs(v));
            for (int k = 0; k < n; k++)
            {
                double norm = 0;
                for (int i = k; i < m; i++) norm += a[i * n + k] * a[i * n + k];
                norm = Math.Sqrt(norm);
                if (norm <= scale * 1e-14 * Math.Max(m, n)) return false;
                double alpha = a[k * n + k] > 0 ? -norm : norm;
                a[k * n + k] -= alpha; // v = x - alpha·e1, stored in column k from row k
                double vnorm2 = 0;
                for (int i = k; i < m; i++) vnorm2 += a[i * n + k] * a[i * n + k];
                for (int j = k + 1; j < n; j++)
                {
                    double s = 0;
                    for (int i = k; i < m; i++) s += a[i * n + k] * a[i * n + j];
                    s = 2 * s / vnorm2;
                    for (int i = k; i < m; i++) a[i * n + j] -= s * a[i * n + k];
                }
                double sb = 0;
                for (int i = k; i < m; i++) sb += a[i * n + k] * b[i];
                sb = 2 * sb / vnorm2;
                for (int i = k; i < m; i++) b[i] -= sb * a[i * n + k];
                diag[k] = alpha;
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = b[i];
                for (int j = i + 1; j < n; j++) s -= a[i * n + j] * b[j];
                b[i] = s / diag[i];
            }
            return true;
        }
        finally { ArrayPool<double>.Shared.Return(diag); }
    }

    public bool Syev(int n, Span<double> a, Span<double> w)
    {
        // Cyclic Jacobi: rotate away the off-diagonal until it is negligible; V accumulates the rotations.
        var vb = ArrayPool<double>.Shared.Rent(n * n);
        try
        {
            var v = vb.AsSpan(0, n * n);
            v.Clear();
            for (int i = 0; i < n; i++) v[i * n + i] = 1;
            bool converged = false;
            for (int sweep = 0; sweep < 100 && !converged; sweep++)
            {
                double off = 0, total = 0;
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++) { double x = a[i * n + j] * a[i * n + j]; total += x; if (i != j) off += x; }
                if (off <= 1e-30 * total || off == 0) { converged = true; break; }
                for (int p = 0; p < n - 1; p++)
                    for (int q = p + 1; q < n; q++)
                    {
                        double apq = a[p * n + q];
                        if (apq == 0) continue;
                        double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                        if (theta == 0) t = 1;
                        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                        for (int k = 0; k < n; k++)
                        {
                            double akp = a[k * n + p], akq = a[k * n + q];
                            a[k * n + p] = c * akp - s * akq;
                            a[k * n + q] = s * akp + c * akq;
                        }
                        for (int k = 0; k < n; k++)
                        {
                            double apk = a[p * n + k], aqk = a[q * n + k];
                            a[p * n + k] = c * apk - s * aqk;
                            a[q * n + k] = s * apk + c * aqk;
                        }
                        for (int k = 0; k < n; k++)
                        {
                            double vkp = v[k * n + p], vkq = v[k * n + q];
                            v[k * n + p] = c * vkp - s * vkq;
                            v[k * n + q] = s * vkp + c * vkq;
                        }
                    }
            }
            if (!converged) return false;
            // Sort ascending; eigenvector k is column k.
            var order = new int[n];
            var keys = new double[n];
            for (int i = 0; i < n; i++) { order[i] = i; keys[i] = a[i * n + i]; }
            Array.Sort(keys, order);
            for (int k = 0; k < n; k++) w[k] = a[order[k] * n + order[k]];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n; k++) a[i * n + k] = v[i * n + order[k]];
            return true;
        }
        finally { ArrayPool<double>.Shared.Return(vb); }
    }
}
