using System.Buffers;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Nabla.LinearAlgebra;

/// <summary>
/// The native backend: the system OpenBLAS through <c>[LibraryImport]</c>. CBLAS for BLAS (row-major), and
/// the Fortran LAPACK symbols for the rest (Debian builds OpenBLAS without LAPACKE). A row-major buffer is
/// the column-major transpose, which the wrappers account for. Created only when the library loads.
/// </summary>
internal sealed unsafe partial class NativeBlas : IBlas
{
    private const string Lib = "openblas";
    private const int RowMajor = 101, NoTrans = 111, Trans = 112, Upper = 121, Lower = 122;

    private static readonly object Gate = new();
    private static bool _resolverSet;
    private static IntPtr _handle;
    private static string? _path;

    private NativeBlas(string path)
    {
        Threads = openblas_get_num_threads();
        string config = Marshal.PtrToStringUTF8(openblas_get_config()) ?? "";
        string core = Marshal.PtrToStringUTF8(openblas_get_corename()) ?? "?";
        Library = $"{path} ({config.Trim()}; kernel {core})";
    }

    public string Name => "openblas";
    public string? Library { get; }
    public int Threads { get; }

    /// <summary>Where the library is looked for, in order: NABLA_OPENBLAS, then the usual names of each OS.</summary>
    internal static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable("NABLA_OPENBLAS") is { Length: > 0 } env) yield return env;
        if (OperatingSystem.IsWindows()) { yield return "libopenblas.dll"; yield return "openblas.dll"; }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "libopenblas.dylib";
            yield return "/opt/homebrew/opt/openblas/lib/libopenblas.dylib";
            yield return "/usr/local/opt/openblas/lib/libopenblas.dylib";
        }
        else
        {
            yield return "libopenblas.so.0";
            yield return "libopenblas.so";
            yield return "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
            yield return "/usr/lib/aarch64-linux-gnu/libopenblas.so.0";
        }
    }

    /// <summary>The backend, or null when OpenBLAS (with the symbols Nabla calls) cannot be loaded.</summary>
    public static IBlas? TryCreate()
    {
        lock (Gate)
        {
            if (_handle == IntPtr.Zero)
            {
                if (Load(Candidates()) is not { } found) return null;
                (_handle, _path) = found;
            }
            if (!_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeBlas).Assembly, Resolve);
                _resolverSet = true;
            }
            return new NativeBlas(_path!);
        }
    }

    /// <summary>The first candidate that loads and exports every symbol Nabla calls, or null.</summary>
    internal static (IntPtr Handle, string Path)? Load(IEnumerable<string> candidates)
    {
        foreach (var c in candidates)
        {
            if (!NativeLibrary.TryLoad(c, out var h)) continue;
            bool complete = new[] { "cblas_dgemm", "cblas_dgemv", "cblas_dsyrk", "cblas_dtrsm", "dpotrf_", "dgetrf_", "dgetrs_", "dgetri_", "dgels_", "dsyevd_", "openblas_get_config", "openblas_get_corename" }
                .All(s => NativeLibrary.TryGetExport(h, s, out _));
            if (complete) return (h, c);
            NativeLibrary.Free(h);
        }
        return null;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name == Lib ? _handle : IntPtr.Zero;

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        fixed (double* pa = a, pb = b, pc = c)
            cblas_dgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, Math.Max(1, lda), pb, Math.Max(1, ldb), beta, pc, Math.Max(1, ldc));
    }

    public void Gemv(bool transA, int m, int n, double alpha, ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> x, double beta, Span<double> y)
    {
        if (m == 0 || n == 0) { if (transA ? n > 0 : m > 0) y[..(transA ? n : m)].Clear(); return; }
        fixed (double* pa = a, px = x, py = y)
            cblas_dgemv(RowMajor, transA ? Trans : NoTrans, m, n, alpha, pa, Math.Max(1, lda), px, 1, beta, py, 1);
    }

    public void Syrk(bool trans, int n, int k, double alpha, ReadOnlySpan<double> a, int lda, double beta, Span<double> c, int ldc)
    {
        if (n == 0) return;
        fixed (double* pa = a, pc = c)
            cblas_dsyrk(RowMajor, Lower, trans ? Trans : NoTrans, n, k, alpha, pa, Math.Max(1, lda), beta, pc, ldc);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) c[i * ldc + j] = c[j * ldc + i];
    }

    public double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        fixed (double* px = x, py = y) return cblas_ddot(x.Length, px, 1, py, 1);
    }

    public void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y)
    {
        fixed (double* px = x, py = y) cblas_daxpy(x.Length, alpha, px, 1, py, 1);
    }

    public bool Potrf(int n, Span<double> a)
    {
        // The row-major lower triangle is the column-major upper one.
        if (n == 0) return true;
        byte u = (byte)'U';
        int info = 0;
        fixed (double* pa = a) dpotrf_(&u, &n, pa, &n, &info, 1);
        return info == 0;
    }

    public void Potrs(int n, int nrhs, ReadOnlySpan<double> l, Span<double> b)
    {
        if (n == 0 || nrhs == 0) return;
        // Two triangular solves in row-major: L·Y = B, then L'·X = Y.
        fixed (double* pl = l, pb = b)
        {
            cblas_dtrsm(RowMajor, 141, Lower, NoTrans, 131, n, nrhs, 1, pl, n, pb, nrhs);
            cblas_dtrsm(RowMajor, 141, Lower, Trans, 131, n, nrhs, 1, pl, n, pb, nrhs);
        }
    }

    public bool Getrf(int n, Span<double> a, Span<int> ipiv)
    {
        if (n == 0) return true;
        int info = 0;
        fixed (double* pa = a) fixed (int* pp = ipiv) dgetrf_(&n, &n, pa, &n, pp, &info);
        return info == 0;
    }

    public void Getrs(int n, int nrhs, ReadOnlySpan<double> lu, ReadOnlySpan<int> ipiv, Span<double> b)
    {
        if (n == 0 || nrhs == 0) return;
        // The factors are of A' (column-major view), so solve with A = (A')' : trans = 'T'; B goes column-major.
        var buf = ArrayPool<double>.Shared.Rent(n * nrhs);
        try
        {
            Transpose(b, n, nrhs, buf);
            byte t = (byte)'T';
            int info = 0;
            fixed (double* pa = lu, pb = buf) fixed (int* pp = ipiv) dgetrs_(&t, &n, &nrhs, pa, &n, pp, pb, &n, &info, 1);
            Transpose(buf, nrhs, n, b);
        }
        finally { ArrayPool<double>.Shared.Return(buf); }
    }

    private static void Transpose(ReadOnlySpan<double> src, int rows, int cols, Span<double> dst)
    {
        if (rows == 1 || cols == 1) { src[..(rows * cols)].CopyTo(dst); return; }
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
    }

    public void Getri(int n, Span<double> lu, ReadOnlySpan<int> ipiv)
    {
        if (n == 0) return;
        // inv(A')' = inv(A): the column-major inverse of A' read row-major.
        int info = 0, lwork = -1;
        double query = 0;
        fixed (double* pa = lu) fixed (int* pp = ipiv)
        {
            dgetri_(&n, pa, &n, pp, &query, &lwork, &info);
            lwork = Math.Max(1, (int)query);
            var work = ArrayPool<double>.Shared.Rent(lwork);
            try { fixed (double* pw = work) dgetri_(&n, pa, &n, pp, pw, &lwork, &info); }
            finally { ArrayPool<double>.Shared.Return(work); }
        }
    }

    public (double logAbsDet, int sign) LuDeterminant(int n, ReadOnlySpan<double> lu, ReadOnlySpan<int> ipiv) =>
        Blas.LogDetFromLu(n, lu, ipiv, pivotBase: 1);

    public bool Gels(int m, int n, Span<double> a, Span<double> b)
    {
        // The buffer is A' (n×m, column-major); with trans = 'T' DGELS solves the overdetermined A·x = b.
        byte t = (byte)'T';
        int one = 1, info = 0, lwork = -1;
        double query = 0;
        fixed (double* pa = a, pb = b)
        {
            dgels_(&t, &n, &m, &one, pa, &n, pb, &m, &query, &lwork, &info, 1);
            lwork = Math.Max(1, (int)query);
            var work = ArrayPool<double>.Shared.Rent(lwork);
            try { fixed (double* pw = work) dgels_(&t, &n, &m, &one, pa, &n, pb, &m, pw, &lwork, &info, 1); }
            finally { ArrayPool<double>.Shared.Return(work); }
        }
        return info == 0;
    }

    public bool Syev(int n, Span<double> a, Span<double> w)
    {
        if (n == 0) return true;
        byte jobz = (byte)'V', uplo = (byte)'L';
        int info = 0, lwork = -1, liwork = -1, iquery = 0;
        double query = 0;
        fixed (double* pa = a, pw = w)
        {
            dsyevd_(&jobz, &uplo, &n, pa, &n, pw, &query, &lwork, &iquery, &liwork, &info, 1, 1);
            lwork = Math.Max(1, (int)query);
            liwork = Math.Max(1, iquery);
            var work = ArrayPool<double>.Shared.Rent(lwork);
            var iwork = ArrayPool<int>.Shared.Rent(liwork);
            try
            {
                fixed (double* pwk = work) fixed (int* piw = iwork)
                    dsyevd_(&jobz, &uplo, &n, pa, &n, pw, pwk, &lwork, piw, &liwork, &info, 1, 1);
            }
            finally { ArrayPool<double>.Shared.Return(work); ArrayPool<int>.Shared.Return(iwork); }
        }
        // Column-major eigenvectors are rows of the row-major buffer: transpose so they are columns.
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) (a[i * n + j], a[j * n + i]) = (a[j * n + i], a[i * n + j]);
        return info == 0;
    }

    [LibraryImport(Lib)] private static partial void cblas_dgemm(int order, int ta, int tb, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);
    [LibraryImport(Lib)] private static partial void cblas_dgemv(int order, int ta, int m, int n, double alpha, double* a, int lda, double* x, int incx, double beta, double* y, int incy);
    [LibraryImport(Lib)] private static partial void cblas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha, double* a, int lda, double beta, double* c, int ldc);
    [LibraryImport(Lib)] private static partial double cblas_ddot(int n, double* x, int incx, double* y, int incy);
    [LibraryImport(Lib)] private static partial void cblas_daxpy(int n, double alpha, double* x, int incx, double* y, int incy);
    [LibraryImport(Lib)] private static partial void cblas_dtrsm(int order, int side, int uplo, int trans, int diag, int m, int n, double alpha, double* a, int lda, double* b, int ldb);
    [LibraryImport(Lib)] private static partial void dpotrf_(byte* uplo, int* n, double* a, int* lda, int* info, nuint uploLen);
    [LibraryImport(Lib)] private static partial void dgetrf_(int* m, int* n, double* a, int* lda, int* ipiv, int* info);
    [LibraryImport(Lib)] private static partial void dgetrs_(byte* trans, int* n, int* nrhs, double* a, int* lda, int* ipiv, double* b, int* ldb, int* info, nuint transLen);
    [LibraryImport(Lib)] private static partial void dgetri_(int* n, double* a, int* lda, int* ipiv, double* work, int* lwork, int* info);
    [LibraryImport(Lib)] private static partial void dgels_(byte* trans, int* m, int* n, int* nrhs, double* a, int* lda, double* b, int* ldb, double* work, int* lwork, int* info, nuint transLen);
    [LibraryImport(Lib)] private static partial void dsyevd_(byte* jobz, byte* uplo, int* n, double* a, int* lda, double* w, double* work, int* lwork, int* iwork, int* liwork, int* info, nuint jobzLen, nuint uploLen);
    [LibraryImport(Lib)] private static partial IntPtr openblas_get_config();
    [LibraryImport(Lib)] private static partial int openblas_get_num_threads();
    [LibraryImport(Lib)] private static partial IntPtr openblas_get_corename();
}
