namespace Nabla.LinearAlgebra;

/// <summary>
/// The few BLAS and LAPACK routines Nabla needs, over dense row-major spans (as <see cref="Tensor"/> stores
/// them). A backend is chosen once (<see cref="Blas.Create"/>) and passed to whoever computes; there is no
/// global switch. Leading dimensions (<c>ld*</c>) are row strides.
/// </summary>
public interface IBlas
{
    /// <summary>"managed" or "openblas".</summary>
    string Name { get; }

    /// <summary>The native library in use (its path or name and configuration), or null for the managed backend.</summary>
    string? Library { get; }

    /// <summary>How many threads the backend computes with.</summary>
    int Threads { get; }

    /// <summary>C = alpha·op(A)·op(B) + beta·C, with C m×n and op(A) m×k. Mirrors DGEMM.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, ReadOnlySpan<double> a, int lda,
        ReadOnlySpan<double> b, int ldb, double beta, Span<double> c, int ldc);

    /// <summary>y = alpha·op(A)·x + beta·y with A m×n (so y has m entries, or n when transposed). Mirrors DGEMV.</summary>
    void Gemv(bool transA, int m, int n, double alpha, ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> x,
        double beta, Span<double> y);

    /// <summary>
    /// C = alpha·A·A' + beta·C (or alpha·A'·A when <paramref name="trans"/>), C n×n and both triangles written.
    /// A is n×k (k×n when transposed). Mirrors DSYRK.
    /// </summary>
    void Syrk(bool trans, int n, int k, double alpha, ReadOnlySpan<double> a, int lda, double beta, Span<double> c, int ldc);

    /// <summary>x'·y. Mirrors DDOT.</summary>
    double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y);

    /// <summary>y += alpha·x. Mirrors DAXPY.</summary>
    void Axpy(double alpha, ReadOnlySpan<double> x, Span<double> y);

    /// <summary>
    /// Cholesky factor in place: the lower triangle of the n×n SPD matrix becomes L with A = L·L'
    /// (the strict upper triangle is left unspecified). False if A is not positive definite. Mirrors DPOTRF.
    /// </summary>
    bool Potrf(int n, Span<double> a);

    /// <summary>Solves A·X = B in place (B n×nrhs) from the factor of <see cref="Potrf"/>. Mirrors DPOTRS.</summary>
    void Potrs(int n, int nrhs, ReadOnlySpan<double> l, Span<double> b);

    /// <summary>
    /// LU factorisation with partial pivoting in place. The factors' layout is the backend's own (read them
    /// only through <see cref="Getrs"/>, <see cref="Getri"/> and <see cref="LuDeterminant"/>). False if singular.
    /// Mirrors DGETRF.
    /// </summary>
    bool Getrf(int n, Span<double> a, Span<int> ipiv);

    /// <summary>Solves A·X = B in place (B n×nrhs) from the factors of <see cref="Getrf"/>. Mirrors DGETRS.</summary>
    void Getrs(int n, int nrhs, ReadOnlySpan<double> lu, ReadOnlySpan<int> ipiv, Span<double> b);

    /// <summary>Replaces the factors of <see cref="Getrf"/> by the inverse of A. Mirrors DGETRI.</summary>
    void Getri(int n, Span<double> lu, ReadOnlySpan<int> ipiv);

    /// <summary>U's diagonal and the sign of the row permutation, from the factors of <see cref="Getrf"/> (for determinants).</summary>
    (double logAbsDet, int sign) LuDeterminant(int n, ReadOnlySpan<double> lu, ReadOnlySpan<int> ipiv);

    /// <summary>
    /// Least squares: minimises ‖A·x − b‖ for A m×n with m ≥ n of full rank; A is overwritten, the first n
    /// entries of b (length m) become x. False if A is rank deficient. Mirrors DGELS.
    /// </summary>
    bool Gels(int m, int n, Span<double> a, Span<double> b);

    /// <summary>
    /// Eigenvalues (ascending, into w) and eigenvectors of the symmetric n×n A, which is overwritten by the
    /// eigenvectors as columns. Mirrors DSYEVD.
    /// </summary>
    bool Syev(int n, Span<double> a, Span<double> w);
}

/// <summary>Which backend to run on.</summary>
public enum BlasBackend
{
    /// <summary>The native library when it loads, else the managed one.</summary>
    Auto,
    /// <summary>Managed code only (SIMD, all cores).</summary>
    Managed,
    /// <summary>The system OpenBLAS; falls back to managed when it is missing.</summary>
    Native,
}

/// <summary>Creates backends. The choice is made here once; callers keep the instance.</summary>
public static class Blas
{
    /// <summary>log|det| and the sign from an LU factorisation (pivots counted from <paramref name="pivotBase"/>: 0 managed, 1 LAPACK).</summary>
    public static (double logAbsDet, int sign) LogDetFromLu(int n, ReadOnlySpan<double> lu, ReadOnlySpan<int> ipiv, int pivotBase)
    {
        double s = 0;
        int sign = 1;
        for (int i = 0; i < n; i++)
        {
            double d = lu[i * n + i];
            if (d < 0) sign = -sign;
            if (ipiv[i] != i + pivotBase) sign = -sign;
            s += Math.Log(Math.Abs(d));
        }
        return (s, sign);
    }

    /// <summary>The managed backend (always available).</summary>
    public static IBlas Managed { get; } = new ManagedBlas();

    /// <summary>
    /// A backend of the given kind. <see cref="BlasBackend.Auto"/> and <see cref="BlasBackend.Native"/> use
    /// OpenBLAS when it loads, the managed backend otherwise (without an error).
    /// </summary>
    public static IBlas Create(BlasBackend kind = BlasBackend.Managed) => kind switch
    {
        BlasBackend.Managed => Managed,
        _ => NativeBlas.TryCreate() ?? Managed,
    };

    /// <summary>
    /// The backend named by an environment variable's value ("managed", "native", "openblas" or "auto"),
    /// managed when unset; used by the tests and the command line.
    /// </summary>
    public static IBlas FromName(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "native" or "openblas" => Create(BlasBackend.Native),
        "auto" => Create(BlasBackend.Auto),
        _ => Managed,
    };

    /// <summary>SIMD width in doubles that the managed kernels use on this CPU (8 with AVX-512, 4 with AVX2).</summary>
    public static int SimdWidth => ManagedGemm.UseVector512 ? 8 : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 4 : 1;
}
