using Nabla.Diagnostics;

namespace Nabla.LinearAlgebra;

/// <summary>
/// The principal square root and logarithm of a real square matrix and their Fréchet derivatives. sqrtm: the scaled
/// product form of the Denman–Beavers iteration (Cheng, Higham, Kenney and Laub, "Approximating the logarithm of a
/// matrix to specified accuracy", SIAM J. Matrix Anal. Appl. 22(4), 2001; Higham, "Functions of Matrices", 2008, (6.17)
/// and §6.5 for the determinantal scaling), M → I and X → A^(1/2), one inverse and one product a step. logm: inverse
/// scaling and squaring (Kenney and Laub 1989; Higham 2008, §11.5): square roots until ‖A^(1/2^s) − I‖₁ ≤ 1/4, then the
/// [8/8] Padé approximant of log(I + X) in its partial-fraction form Σ w_j X (I + x_j X)⁻¹ (Gauss–Legendre nodes and
/// weights on [0, 1]; its error for ‖X‖ ≤ 1/4 is below 1e-18), times 2^s. A real principal root or logarithm exists
/// only without eigenvalues on the closed negative real axis: there the iteration stays away from I (its scalar
/// form keeps a negative eigenvalue's sign) and the result is a domain_error, as at a singular matrix. The Fréchet
/// derivative of either is the upper right block of the function of [A E; 0 A] (Higham 2008, (3.16)), E scaled to A's norm.
/// </summary>
public static class MatrixRootLog
{
    /// <summary>The principal square root.</summary>
    public static Tensor Sqrtm(Tensor a, IBlas? blas = null) => Tensor.Matrix(Sqrt(Square(a, "sqrtm"), a.Rows, blas ?? Blas.Managed, "sqrtm"), a.Rows, a.Rows);

    /// <summary>The principal logarithm.</summary>
    public static Tensor Logm(Tensor a, IBlas? blas = null) => Tensor.Matrix(Log(Square(a, "logm"), a.Rows, blas ?? Blas.Managed), a.Rows, a.Rows);

    /// <summary>L_sqrt(A, E): the Fréchet derivative of sqrtm at A in the direction E.</summary>
    public static Tensor SqrtmFrechet(Tensor a, Tensor e, IBlas? blas = null) =>
        Frechet(a, e, blas ?? Blas.Managed, "sqrtm", (m, n, b) => Sqrt(m, n, b, "sqrtm"));

    /// <summary>L_log(A, E): the Fréchet derivative of logm at A in the direction E.</summary>
    public static Tensor LogmFrechet(Tensor a, Tensor e, IBlas? blas = null) =>
        Frechet(a, e, blas ?? Blas.Managed, "logm", Log);

    private static double[] Square(Tensor a, string what)
    {
        if (a.Kind != ShapeKind.Matrix || a.Rows != a.Cols) throw new ArgumentException($"{what} needs a square matrix, not {a.Rows}×{a.Cols}");
        foreach (var v in a.Data)
            if (!double.IsFinite(v)) throw new NablaException(ErrorCodes.DomainError, $"{what} of a matrix with a non-finite entry");
        return (double[])a.Data.Clone();
    }

    private static Tensor Frechet(Tensor a, Tensor e, IBlas blas, string what, Func<double[], int, IBlas, double[]> f)
    {
        int n = a.Rows;
        var ad = Square(a, what);
        var ed = Square(e, what + "_frechet");
        if (e.Rows != n) throw new ArgumentException($"the direction of {what}'s derivative must be {n}×{n}, not {e.Rows}×{e.Cols}");
        double na = Norm1(ad, n), ne = Norm1(ed, n);
        if (ne == 0) return Tensor.Zeros(ShapeKind.Matrix, n, n);
        // L is linear in E: L(A, E) = L(A, tE)/t with tE as large as A (a power of 2, exact), so the block is balanced.
        int k = na == 0 ? 0 : (int)Math.Round(Math.Log2(na / ne));
        double t = Math.ScaleB(1.0, k);
        int m = 2 * n;
        var block = new double[m * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                block[i * m + j] = ad[i * n + j];
                block[(i + n) * m + j + n] = ad[i * n + j];
                block[i * m + j + n] = t * ed[i * n + j];
            }
        var fb = f(block, m, blas);
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) l[i * n + j] = fb[i * m + j + n] / t;
        return Tensor.Matrix(l, n, n);
    }

    /// <summary>The scaled product Denman–Beavers iteration; a[] is consumed.</summary>
    private static double[] Sqrt(double[] a, int n, IBlas blas, string what)
    {
        if (n == 0) return [];
        var m = (double[])a.Clone();
        var x = a;
        var inv = new double[n * n];
        var t = new double[n * n];
        var piv = new int[n];
        double previous = double.PositiveInfinity;
        for (int k = 0; k < 100; k++)
        {
            Array.Copy(m, inv, m.Length);
            if (!blas.Getrf(n, inv, piv))
                throw k > 0 ? NoPrincipal(what) // M_k singular later: a negative eigenvalue's iterate crossed 0
                    : new NablaException(ErrorCodes.DomainError, what == "logm"
                        ? "logm of a singular matrix (an eigenvalue at 0): the logarithm is not defined"
                        : "sqrtm of a singular matrix (an eigenvalue at 0): this version takes principal square roots of nonsingular matrices only (where the root is differentiable)");
            var (logAbsDet, _) = blas.LuDeterminant(n, inv, piv);
            blas.Getri(n, inv, piv);
            // μ = |det M|^(-1/(2n)) for the first steps (then 1: near convergence the scaling only perturbs)
            double mu = k < 6 ? Math.Exp(-logAbsDet / (2.0 * n)) : 1;
            if (!double.IsFinite(mu) || mu <= 0) mu = 1;
            double mu2 = mu * mu;
            // X ← ½ μ X (I + M⁻¹/μ²)
            Array.Copy(inv, t, inv.Length);
            for (int i = 0; i < t.Length; i++) t[i] /= mu2;
            for (int i = 0; i < n; i++) t[i * n + i] += 1;
            var nx = new double[n * n];
            blas.Gemm(false, false, n, n, n, 0.5 * mu, x, n, t, n, 0, nx, n);
            x = nx;
            // M ← ½ (I + (μ² M + M⁻¹/μ²)/2)
            double change = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    int p = i * n + j;
                    double v = 0.5 * ((i == j ? 1 : 0) + (mu2 * m[p] + inv[p] / mu2) / 2);
                    m[p] = v;
                    change = Math.Max(change, Math.Abs(v - (i == j ? 1 : 0)));
                }
            foreach (var v in x)
                if (!double.IsFinite(v)) throw NoPrincipal(what);
            if (change <= 1e-15 * n) break;
            if (k == 99 || (k > 20 && change >= previous)) throw NoPrincipal(what);
            previous = change;
        }
        return x;
    }

    private static NablaException NoPrincipal(string what) => new(ErrorCodes.DomainError,
        $"{what} of a matrix with an eigenvalue on the closed negative real axis: it has no real principal {(what == "logm" ? "logarithm" : "square root")}");

    private static readonly Lazy<(double[] X, double[] W)> Gauss8 = new(() => GaussLegendre01(8));

    /// <summary>Inverse scaling and squaring; a[] is consumed.</summary>
    private static double[] Log(double[] a, int n, IBlas blas)
    {
        if (n == 0) return [];
        var x = a;
        int s = 0;
        while (Norm1Minus(x, n) > 0.25)
        {
            x = Sqrt(x, n, blas, "logm");
            if (++s > 64) throw NoPrincipal("logm");
        }
        for (int i = 0; i < n; i++) x[i * n + i] -= 1; // Y = A^(1/2^s) − I
        var (nodes, weights) = Gauss8.Value;
        var r = new double[n * n];
        var lhs = new double[n * n];
        var piv = new int[n];
        for (int j = 0; j < nodes.Length; j++)
        {
            // (I + x_j Y) Z = Y, then R += w_j Z (Y commutes with I + x_j Y)
            for (int i = 0; i < lhs.Length; i++) lhs[i] = nodes[j] * x[i];
            for (int i = 0; i < n; i++) lhs[i * n + i] += 1;
            var z = (double[])x.Clone();
            if (!blas.Getrf(n, lhs, piv)) throw NoPrincipal("logm");
            blas.Getrs(n, n, lhs, piv, z);
            for (int i = 0; i < r.Length; i++) r[i] += weights[j] * z[i];
        }
        double scale = Math.ScaleB(1.0, s);
        for (int i = 0; i < r.Length; i++) r[i] *= scale;
        return r;
    }

    private static double Norm1Minus(double[] a, int n)
    {
        double best = 0;
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += Math.Abs(a[i * n + j] - (i == j ? 1 : 0));
            best = Math.Max(best, s);
        }
        return best;
    }

    private static double Norm1(double[] a, int n)
    {
        double best = 0;
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += Math.Abs(a[i * n + j]);
            best = Math.Max(best, s);
        }
        return best;
    }

    /// <summary>Gauss–Legendre nodes and weights on [0, 1]: the roots of P_m by Newton's method from Tricomi's estimates.</summary>
    private static (double[] X, double[] W) GaussLegendre01(int m)
    {
        var x = new double[m];
        var w = new double[m];
        for (int i = 0; i < m; i++)
        {
            double z = Math.Cos(Math.PI * (i + 0.75) / (m + 0.5)), dp = 0;
            for (int it = 0; it < 100; it++)
            {
                double p0 = 1, p1 = z;
                for (int k = 2; k <= m; k++) (p0, p1) = (p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k);
                dp = m * (z * p1 - p0) / (z * z - 1);
                double dz = p1 / dp;
                z -= dz;
                if (Math.Abs(dz) < 1e-16) break;
            }
            {
                double p0 = 1, p1 = z;
                for (int k = 2; k <= m; k++) (p0, p1) = (p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k);
                dp = m * (z * p1 - p0) / (z * z - 1);
            }
            x[i] = (1 - z) / 2;
            w[i] = 1 / ((1 - z * z) * dp * dp); // 2/((1-z²)P'²) on [-1, 1], halved for [0, 1]
        }
        return (x, w);
    }
}
