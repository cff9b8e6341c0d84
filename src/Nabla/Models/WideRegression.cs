using Nabla.Data;
using Nabla.LinearAlgebra;

namespace Nabla.Models;

/// <summary>
/// Least squares with fewer rows than columns (n &lt; p): every route works on the short side, n²p work as LAPACK's
/// gelsd does, and never forms the p×p Gram matrix (at 300 × 10,000 that alone would be 800 MB and 3·10¹⁰ operations).
/// <list type="bullet">
/// <item>Rows of full rank and a condition number below <see cref="FastCondition"/> (the usual case): Cholesky-QR2 of
/// D' on BLAS-3 products — K = D D', L₁ = chol(K), Q₁ = L₁⁻¹ D, then the same again on Q₁, so D = L Q with Q's rows
/// orthonormal to rounding (Yamamoto et al. 2015) — and the minimum-norm w = D'(D D')⁻¹ y = D' M'M y with
/// M = L⁻¹. The answer is checked (D w = y to rounding) before it is returned.</item>
/// <item>Otherwise (dependent or nearly dependent rows): a Householder LQ of the rows, D = L Q, then the one-sided
/// Jacobi SVD of the n×n factor L; the rank by NumPy's rule (σ &gt; σ₁·max(n, p)·ε) and w = Q' U Σ⁺ V' y.</item>
/// </list>
/// </summary>
internal static class WideRegression
{
    /// <summary>Largest condition number (of the rows scaled to unit length) that the Cholesky-QR2 route takes.</summary>
    internal const double FastCondition = 1e6;

    /// <summary>Up to this many columns the p×p covariance (D'D)⁺ is formed when there are residual degrees of freedom.</summary>
    internal const int MaxCovarianceColumns = 4000;

    /// <summary>
    /// The minimum-norm solution of the wide system, in design coordinates (the intercept first when fitted);
    /// <paramref name="allowFast"/> false (for tests) always takes the Householder route.
    /// </summary>
    public static Solution Solve(RowData data, bool intercept, Solver solver, bool allowFast = true)
    {
        int n = data.N, d = data.D, o = intercept ? 1 : 0, p = d + o;
        string name = solver == Solver.Qr ? "qr+svd" : "svd";
        var design = new double[(long)n * p];
        for (int i = 0; i < n; i++)
        {
            if (intercept) design[(long)i * p] = 1;
            Array.Copy(data.X, (long)i * d, design, (long)i * p + o, d);
        }
        if (allowFast && CholeskyQr2(design, n, p, data.Y) is { } w)
        {
            var notes = new List<string>();
            List<double[]> nulls = [];
            if (p - n <= LinearRegression.MaxRelationsNamed) nulls = Orthogonal.Complement(OrthonormalRows(design, n, p), p);
            else notes.Add($"{p - n} columns depend on the others (more columns than rows); the relations are not listed");
            return new Solution(w, null, n, nulls, name, double.PositiveInfinity, notes);
        }
        return HouseholderSolve(design, n, p, data.Y, name);
    }

    /// <summary>
    /// w = D'(D D')⁻¹ y by Cholesky-QR2 on the rows scaled to unit length (which leaves w unchanged: the same
    /// equations), or null when the rows are dependent or too ill-conditioned for it, or the answer fails its check.
    /// </summary>
    private static double[]? CholeskyQr2(double[] design, int n, int p, double[] y)
    {
        var blas = Blas.Managed;
        var a = new double[design.Length];
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = design.AsSpan((int)((long)i * p), p);
            double norm = Math.Sqrt(Orthogonal.Dot(row, row));
            if (!(norm > 0) || !double.IsFinite(1 / norm)) return null;
            var dst = a.AsSpan((int)((long)i * p), p);
            for (int j = 0; j < p; j++) dst[j] = row[j] / norm;
            b[i] = y[i] / norm;
        }
        var k = new double[n * n];
        blas.Syrk(false, n, p, 1, a, p, 0, k, n);
        var l1inv = LowerFactorInverse(blas, k, n);
        if (l1inv is null) return null;
        var q1 = new double[a.Length];
        blas.Gemm(false, false, n, p, n, 1, l1inv, n, a, p, 0, q1, p);
        blas.Syrk(false, n, p, 1, q1, p, 0, k, n);
        var l2inv = LowerFactorInverse(blas, k, n);
        if (l2inv is null) return null;
        var m = new double[n * n];
        blas.Gemm(false, false, n, n, n, 1, l2inv, n, l1inv, n, 0, m, n); // M = L⁻¹ with L = L₁L₂
        var c = new double[n];
        var z = new double[n];
        blas.Gemv(false, n, n, 1, m, n, b, 0, c);
        blas.Gemv(true, n, n, 1, m, n, c, 0, z);
        var w = new double[p];
        blas.Gemv(true, n, p, 1, a, p, z, 0, w);
        // The check: D w reproduces y (the scaled rows have unit length, so the tolerance is relative to |w|).
        var r = new double[n];
        blas.Gemv(false, n, p, 1, a, p, w, 0, r);
        double wn = Math.Sqrt(Orthogonal.Dot(w, w)), worst = 0;
        for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(r[i] - b[i]));
        return double.IsFinite(wn) && worst <= 1e-9 * (wn + Math.Sqrt(Orthogonal.Dot(b, b))) ? w : null;
    }

    /// <summary>
    /// The inverse of the Cholesky factor of <paramref name="k"/> (lower, n×n), or null when k is not positive definite
    /// or the factor's condition number (‖L‖_F‖L⁻¹‖_F, an upper bound of the 2-norm one) exceeds <see cref="FastCondition"/>.
    /// </summary>
    private static double[]? LowerFactorInverse(IBlas blas, double[] k, int n)
    {
        var l = (double[])k.Clone();
        if (!blas.Potrf(n, l)) return null;
        var inv = new double[n * n];
        double normL = 0, normInv = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) normL += l[i * n + j] * l[i * n + j];
        // column j of L⁻¹ by forward substitution: L x = e_j
        for (int j = 0; j < n; j++)
        {
            for (int i = j; i < n; i++)
            {
                double s = i == j ? 1 : 0;
                for (int t = j; t < i; t++) s -= l[i * n + t] * inv[t * n + j];
                double v = s / l[i * n + i];
                inv[i * n + j] = v;
                normInv += v * v;
            }
        }
        double cond = Math.Sqrt(normL * normInv);
        return double.IsFinite(cond) && cond <= FastCondition ? inv : null;
    }

    /// <summary>An orthonormal basis of the row space of the n×p design (rank n): Gram–Schmidt twice, row by row.</summary>
    private static List<double[]> OrthonormalRows(double[] design, int n, int p)
    {
        var basis = new List<double[]>();
        for (int i = 0; i < n; i++)
        {
            var v = design.AsSpan((int)((long)i * p), p).ToArray();
            for (int pass = 0; pass < 2; pass++)
                foreach (var q in basis) Orthogonal.Axpy(-Orthogonal.Dot(v, q), q, v);
            double norm = Math.Sqrt(Orthogonal.Dot(v, v));
            if (!(norm > 0)) continue;
            for (int j = 0; j < p; j++) v[j] /= norm;
            basis.Add(v);
        }
        return basis;
    }

    /// <summary>
    /// Householder LQ of the rows (in place: row k keeps its reflector from entry k on, L's entries before it), the SVD
    /// of the n×n L by one-sided Jacobi, and the minimum-norm solution through the reflectors.
    /// </summary>
    private static Solution HouseholderSolve(double[] design, int n, int p, double[] y, string name)
    {
        var rows = new double[n][];
        for (int i = 0; i < n; i++) rows[i] = design.AsSpan((int)((long)i * p), p).ToArray();
        var tau = new double[n];
        var l = new double[n][];
        for (int i = 0; i < n; i++) l[i] = new double[n];
        for (int k = 0; k < n; k++)
        {
            var x = rows[k].AsSpan(k);
            double alpha = x[0], tail = x.Length > 1 ? Orthogonal.Dot(x[1..], x[1..]) : 0;
            double norm = Math.Sqrt(alpha * alpha + tail);
            if (norm == 0 || tail == 0 && alpha >= 0)
            {
                tau[k] = 0; // nothing to reflect: the row is already (its) first entry
                l[k][k] = alpha;
            }
            else
            {
                double beta = alpha >= 0 ? -norm : norm;
                tau[k] = (beta - alpha) / beta;
                double scale = 1 / (alpha - beta);
                for (int j = 1; j < x.Length; j++) x[j] *= scale;
                x[0] = 1;
                l[k][k] = beta;
                double t = tau[k];
                int kk = k;
                // rows below: r -= τ (v·r) v on entries k.. (independent rows: split over the cores when it pays)
                void Apply(int j)
                {
                    var r = rows[j].AsSpan(kk);
                    double s = t * Orthogonal.Dot(rows[kk].AsSpan(kk), r);
                    Orthogonal.Axpy(-s, rows[kk].AsSpan(kk), r);
                }
                if ((long)(n - k) * (p - k) >= 1 << 16) Parallel.For(k + 1, n, Apply);
                else for (int j = k + 1; j < n; j++) Apply(j);
            }
            for (int j = k + 1; j < n; j++) l[j][k] = rows[j][k];
        }
        // L' = U Σ V' (the columns given are L's rows), so D = L Q = V Σ (Q'U)': right singular vectors Q'u_k.
        var (u, s, v) = Orthogonal.SvdOfColumns(l);
        double tol = (s.Length > 0 ? s[0] : 0) * Math.Max(n, p) * 2.220446049250313e-16; // numpy's matrix_rank
        int rank = s.Count(x => x > tol);
        var coord = new double[n];
        for (int k = 0; k < rank; k++) Orthogonal.Axpy(Orthogonal.Dot(v[k], y) / s[k], u[k], coord);
        var w = ApplyQt(rows, tau, coord, p);
        var notes = new List<string>();
        bool covariance = n > rank && p <= MaxCovarianceColumns;
        bool named = p - rank <= LinearRegression.MaxRelationsNamed;
        double[][] right = covariance || named ? [.. Enumerable.Range(0, rank).Select(k => ApplyQt(rows, tau, u[k], p))] : [];
        double[]? cov = null;
        if (covariance)
        {
            cov = new double[(long)p * p];
            for (int k = 0; k < rank; k++)
            {
                var uk = right[k];
                double inv = 1 / (s[k] * s[k]);
                Parallel.For(0, p, i =>
                {
                    double ui = uk[i] * inv;
                    if (ui != 0) Orthogonal.Axpy(ui, uk, cov.AsSpan(i * p, p));
                });
            }
        }
        else if (n > rank) notes.Add($"standard errors are not formed for {p} columns (the p×p covariance is limited to {MaxCovarianceColumns} columns)");
        List<double[]> nulls = [];
        if (named) nulls = Orthogonal.Complement(right, p);
        else notes.Add($"{p - rank} columns depend on the others (more columns than rows); the relations are not listed");
        return new Solution(w, cov, rank, nulls, name, double.PositiveInfinity, notes);
    }

    /// <summary>Q'z for z in the coordinates of L: the reflectors applied to [z; 0] from the last to the first.</summary>
    private static double[] ApplyQt(double[][] rows, double[] tau, double[] z, int p)
    {
        int n = rows.Length;
        var w = new double[p];
        z.AsSpan(0, n).CopyTo(w);
        for (int k = n - 1; k >= 0; k--)
        {
            if (tau[k] == 0) continue;
            var v = rows[k].AsSpan(k);
            var x = w.AsSpan(k);
            Orthogonal.Axpy(-tau[k] * Orthogonal.Dot(v, x), v, x);
        }
        return w;
    }
}
