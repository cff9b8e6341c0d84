using System.Buffers;
using System.Numerics.Tensors;

namespace Nabla.LinearAlgebra;

/// <summary>
/// The managed backend: level-3 work through <see cref="ManagedGemm"/> (packed, SIMD, all cores), level-1 and
/// level-2 work through <see cref="TensorPrimitives"/>, and the LAPACK routines in <c>ManagedLapack.cs</c>
/// built on top of them. Always available.
/// </summary>
internal sealed unsafe partial class ManagedBlas : IBlas
{
    private const long SmallGemm = 48L * 48 * 48;
    private const long ParallelGemv = 1L << 16;

    public ManagedBlas(int? threads = null) => Threads = Math.Max(1, threads ?? Environment.ProcessorCount);

    public string Name => "managed";
    public string? Library => null;
    public int Threads { get; }

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        ScaleRows(m, n, beta, c, ldc);
        if (k == 0 || alpha == 0) return;
        if (n == 1 && ldc == 1)
        {
            // c (m) = alpha·op(A)·op(B) with op(B) a k-vector: a matrix-vector product.
            if (!transB && ldb != 1) { SmallProduct(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc); return; }
            Gemv(transA, transA ? k : m, transA ? m : k, alpha, a, lda, b[..k], 1, c[..m]);
            return;
        }
        if (m == 1 && (!transA || lda == 1))
        {
            // c' (n) = alpha·op(B)'·op(A)' with op(A)' a k-vector.
            Gemv(!transB, transB ? n : k, transB ? k : n, alpha, b, ldb, a[..k], 1, c[..n]);
            return;
        }
        if ((long)m * n * k <= SmallGemm) { SmallProduct(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc); return; }
        fixed (double* pa = a, pb = b, pc = c)
            ManagedGemm.Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, pc, ldc, Threads);
    }

    private static void ScaleRows(int m, int n, double beta, Span<double> c, int ldc)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>Direct loops for products too small to pay for packing.</summary>
    private static void SmallProduct(bool ta, bool tb, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            for (int p = 0; p < k; p++)
            {
                double aip = alpha * (ta ? a[p * lda + i] : a[i * lda + p]);
                if (aip == 0) continue;
                if (!tb) TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), aip, row, row);
                else for (int j = 0; j < n; j++) row[j] += aip * b[j * ldb + p];
            }
        }
    }

    public void Gemv(bool transA, int m, int n, double alpha, ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> x,
        double beta, Span<double> y)
    {
        int ylen = transA ? n : m;
        if (ylen == 0) return;
        ScaleRows(1, ylen, beta, y, ylen);
        if (m == 0 || n == 0 || alpha == 0) return;
        int threads = (long)m * n >= ParallelGemv ? Threads : 1;
        fixed (double* pa = a, px = x, py = y)
        {
            if (!transA) GemvN(pa, px, py, 0, m, n, lda, alpha, threads);
            else GemvT(pa, px, py, m, n, lda, alpha, threads);
        }
    }

    private static void GemvN(double* a, double* x, double* y, int r0, int m, int n, int lda, double alpha, int threads)
    {
        // y[i] (already scaled by beta) += alpha·A[i,:]·x
        if (threads <= 1)
        {
            var xs = new ReadOnlySpan<double>(x, n);
            for (int i = r0; i < m; i++) y[i] += alpha * TensorPrimitives.Dot(new ReadOnlySpan<double>(a + (long)i * lda, n), xs);
            return;
        }
        var job = t_gemv ??= new GemvJob();
        job.Set(a, x, y, m, n, lda, alpha, threads, false, []);
        WorkerTeam.Shared.Run(threads, job.Body);
    }

    private static void GemvT(double* a, double* x, double* y, int m, int n, int lda, double alpha, int threads)
    {
        // y (already scaled by beta) += alpha·A'·x, one pass over the rows of A; each thread keeps its own partial sum.
        var ys = new Span<double>(y, n);
        if (threads <= 1)
        {
            GemvJob.Rows(a, x, ys, 0, m, n, lda, alpha);
            return;
        }
        var partial = ArrayPool<double>.Shared.Rent(n * (threads - 1));
        try
        {
            Array.Clear(partial, 0, n * (threads - 1));
            var job = t_gemv ??= new GemvJob();
            job.Set(a, x, y, m, n, lda, alpha, threads, true, partial);
            WorkerTeam.Shared.Run(threads, job.Body);
            for (int t = 1; t < threads; t++) TensorPrimitives.Add(ys, partial.AsSpan((t - 1) * n, n), ys);
        }
        finally { ArrayPool<double>.Shared.Return(partial); }
    }

    [ThreadStatic] private static GemvJob? t_gemv;

    /// <summary>The arguments of a parallel GEMV, kept per calling thread so that a call allocates nothing.</summary>
    private sealed class GemvJob
    {
        private double* _a, _x, _y;
        private double[] _partial = [];
        private int _m, _n, _lda, _threads;
        private double _alpha;
        private bool _trans;

        public GemvJob() => Body = Run;

        public Action<int> Body { get; }

        public void Set(double* a, double* x, double* y, int m, int n, int lda, double alpha, int threads, bool trans, double[] partial)
        {
            _a = a; _x = x; _y = y;
            (_m, _n, _lda, _alpha, _threads, _trans, _partial) = (m, n, lda, alpha, threads, trans, partial);
        }

        private void Run(int t)
        {
            int lo = (int)((long)_m * t / _threads), hi = (int)((long)_m * (t + 1) / _threads);
            if (!_trans) { GemvN(_a, _x, _y, lo, hi, _n, _lda, _alpha, 1); return; }
            var acc = t == 0 ? new Span<double>(_y, _n) : _partial.AsSpan((t - 1) * _n, _n);
            Rows(_a, _x, acc, lo, hi, _n, _lda, _alpha);
        }

        public static void Rows(double* a, double* x, Span<double> acc, int lo, int hi, int n, int lda, double alpha)
        {
            for (int i = lo; i < hi; i++)
                if (x[i] != 0) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<double>(a + (long)i * lda, n), alpha * x[i], acc, acc);
        }
    }

    public void Syrk(bool trans, int n, int k, double alpha, ReadOnlySpan<double> a, int lda, double beta, Span<double> c, int ldc)
    {
        // The lower triangle block row by block row (about half of GEMM's flops), then mirrored.
        const int block = 256;
        for (int i0 = 0; i0 < n; i0 += block)
        {
            int i1 = Math.Min(n, i0 + block);
            var rows = trans ? a[i0..] : a[(i0 * lda)..];
            Gemm(trans, !trans, i1 - i0, i1, k, alpha, rows, lda, a, lda, beta, c[(i0 * ldc)..], ldc);
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) c[i * ldc + j] = c[j * ldc + i];
    }

    public double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => TensorPrimitives.Dot(x, y);

    public void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y) => TensorPrimitives.MultiplyAdd(x, alpha, y, y);
}
