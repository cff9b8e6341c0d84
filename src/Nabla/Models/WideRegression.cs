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
        // z = M'M b with M = L⁻¹ = L₂⁻¹L₁⁻¹ (L = L₁L₂): four triangular products, n² each
        var c = new double[n];
        var z = new double[n];
        blas.Gemv(false, n, n, 1, l1inv, n, b, 0, z);
        blas.Gemv(false, n, n, 1, l2inv, n, z, 0, c);
        blas.Gemv(true, n, n, 1, l2inv, n, c, 0, z);
        blas.Gemv(true, n, n, 1, l1inv, n, z, 0, c);
        (z, c) = (c, z);
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
        // L X = I row by row: X[i, :] = (e_i - Σ_{t<i} L[i, t] X[t, :]) / L[i, i], where row t of X ends at column t
        for (int i = 0; i < n; i++)
        {
            var row = inv.AsSpan(i * n, i + 1);
            row[i] = 1;
            for (int t = 0; t < i; t++)
            {
                double lit = l[i * n + t];
                if (lit != 0) Orthogonal.Axpy(-lit, inv.AsSpan(t * n, t + 1), row);
            }
            double dinv = 1 / l[i * n + i];
            for (int j = 0; j <= i; j++) { row[j] *= dinv; normInv += row[j] * row[j]; }
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

    /// <summary>Reflectors per block of the LQ (LAPACK's dgelqf blocks the same way).</summary>
    private const int Block = 32;

    /// <summary>
    /// Householder LQ of the rows (D = L Q, the reflectors kept in the rows from their diagonal on, as dgelqf keeps
    /// them), the SVD of the n×n L by one-sided Jacobi, and the minimum-norm solution through the reflectors.
    /// </summary>
    private static Solution HouseholderSolve(double[] design, int n, int p, double[] y, string name)
    {
        var lq = Lq.Factor(design, n, p);
        var l = new double[n][];
        for (int i = 0; i < n; i++)
        {
            l[i] = new double[n];
            design.AsSpan(i * p, Math.Min(i, n)).CopyTo(l[i]);
            l[i][i] = lq.Diagonal[i];
        }
        // L' = U Σ V' (the columns given are L's rows), so D = L Q = V Σ (Q'U)': right singular vectors Q'u_k.
        var (u, s, v) = Orthogonal.SvdOfColumns(l);
        double tol = (s.Length > 0 ? s[0] : 0) * Math.Max(n, p) * 2.220446049250313e-16; // numpy's matrix_rank
        int rank = s.Count(x => x > tol);
        var coord = new double[n];
        for (int k = 0; k < rank; k++) Orthogonal.Axpy(Orthogonal.Dot(v[k], y) / s[k], u[k], coord);
        var w = lq.ApplyQt([coord], 1)[0];
        var notes = new List<string>();
        bool covariance = n > rank && p <= MaxCovarianceColumns;
        bool named = p - rank <= LinearRegression.MaxRelationsNamed;
        double[][] right = covariance || named ? lq.ApplyQt(u, rank) : [];
        double[]? cov = null;
        if (covariance)
        {
            // (D'D)⁺ = R Σ⁻² R' with R's columns the right singular vectors: one GEMM of the scaled rows
            var scaled = new double[rank * p];
            var packed = new double[rank * p];
            for (int k = 0; k < rank; k++)
                for (int j = 0; j < p; j++) { packed[k * p + j] = right[k][j]; scaled[k * p + j] = right[k][j] / (s[k] * s[k]); }
            cov = new double[(long)p * p];
            Blas.Managed.Gemm(true, false, p, p, rank, 1, scaled, p, packed, p, 0, cov, p);
        }
        else if (n > rank) notes.Add($"standard errors are not formed for {p} columns (the p×p covariance is limited to {MaxCovarianceColumns} columns)");
        List<double[]> nulls = [];
        if (named) nulls = Orthogonal.Complement(right, p);
        else notes.Add($"{p - rank} columns depend on the others (more columns than rows); the relations are not listed");
        return new Solution(w, cov, rank, nulls, name, double.PositiveInfinity, notes);
    }

    /// <summary>
    /// A blocked Householder LQ of an n×p row-major matrix (n ≤ p), in place: D H₀H₁…H_{n-1} = [L 0] with
    /// H_k = I - τ_k v_k v_k'. Each block of <see cref="Block"/> reflectors is factored row by row and then applied to
    /// the rows below as one compact-WY product, H_k…H_{k+b-1} = I - Y T Y' (two GEMMs instead of b passes over them).
    /// </summary>
    private sealed class Lq
    {
        private readonly double[] _a;
        private readonly int _n, _p;
        private readonly double[] _tau;
        private readonly List<(int K0, int Nb, double[] Vt, double[] T)> _blocks = [];

        /// <summary>L's diagonal (its entries below the diagonal stay in the matrix).</summary>
        public double[] Diagonal { get; }

        private Lq(double[] a, int n, int p)
        {
            _a = a; _n = n; _p = p;
            _tau = new double[n];
            Diagonal = new double[n];
        }

        public static Lq Factor(double[] a, int n, int p)
        {
            var f = new Lq(a, n, p);
            for (int k0 = 0; k0 < n; k0 += Block) f.FactorBlock(k0, Math.Min(Block, n - k0));
            return f;
        }

        private void FactorBlock(int k0, int nb)
        {
            int n = _n, p = _p, width = p - k0;
            for (int k = k0; k < k0 + nb; k++)
            {
                var x = _a.AsSpan(k * p + k, p - k);
                double alpha = x[0], tail = x.Length > 1 ? Orthogonal.Dot(x[1..], x[1..]) : 0;
                double norm = Math.Sqrt(alpha * alpha + tail);
                if (norm == 0 || tail == 0 && alpha >= 0)
                {
                    _tau[k] = 0; // nothing to reflect
                    Diagonal[k] = alpha;
                    x[0] = 1;
                    continue;
                }
                double beta = alpha >= 0 ? -norm : norm;
                _tau[k] = (beta - alpha) / beta;
                double scale = 1 / (alpha - beta);
                for (int j = 1; j < x.Length; j++) x[j] *= scale;
                x[0] = 1;
                Diagonal[k] = beta;
                // the rest of the panel, one reflector at a time
                for (int j = k + 1; j < k0 + nb; j++)
                {
                    var r = _a.AsSpan(j * p + k, p - k);
                    Orthogonal.Axpy(-_tau[k] * Orthogonal.Dot(x, r), x, r);
                }
            }
            // Y' (nb × width, explicit zeros and ones) and T: H_{k0}…H_{k0+nb-1} = I - Y T Y' (dlarft, forward)
            var vt = new double[nb * width];
            for (int i = 0; i < nb; i++)
            {
                int k = k0 + i;
                _a.AsSpan(k * p + k, p - k).CopyTo(vt.AsSpan(i * width + i));
            }
            var t = new double[nb * nb];
            for (int i = 0; i < nb; i++)
            {
                double ti = _tau[k0 + i];
                t[i * nb + i] = ti;
                if (ti == 0) continue;
                // T[0..i, i] = -τ_i T[0..i, 0..i] (Y[:, 0..i]' v_i)
                var yv = new double[i];
                for (int j = 0; j < i; j++) yv[j] = Orthogonal.Dot(vt.AsSpan(j * width + i, width - i), vt.AsSpan(i * width + i, width - i));
                for (int r = 0; r < i; r++)
                {
                    double acc = 0;
                    for (int c = r; c < i; c++) acc += t[r * nb + c] * yv[c];
                    t[r * nb + i] = -ti * acc;
                }
            }
            _blocks.Add((k0, nb, vt, t));
            int below = n - k0 - nb;
            if (below > 0) Apply(_a.AsSpan((k0 + nb) * p + k0), below, p, vt, nb, width, t, transposeT: false);
        }

        /// <summary>R ← R (I - Y T Y') for the m rows of R (stride ld, from the block's first column); T' when asked.</summary>
        private static void Apply(Span<double> r, int m, int ld, double[] vt, int nb, int width, double[] t, bool transposeT)
        {
            var blas = Blas.Managed;
            var w = new double[m * nb];
            blas.Gemm(false, true, m, nb, width, 1, r, ld, vt, width, 0, w, nb); // W = R Y
            var wt = new double[m * nb];
            blas.Gemm(false, transposeT, m, nb, nb, 1, w, nb, t, nb, 0, wt, nb); // W T (or W T')
            blas.Gemm(false, false, m, width, nb, -1, wt, nb, vt, width, 1, r, ld); // R -= W T Y'
        }

        /// <summary>
        /// Q'z for the first <paramref name="count"/> vectors z (length n, the coordinates of L): [z; 0] times the
        /// reflectors from the last to the first, as rows: Z H_{n-1}…H₀, a block at a time (Z ← Z (I - Y T' Y')).
        /// </summary>
        public double[][] ApplyQt(double[][] z, int count)
        {
            int n = _n, p = _p;
            var m = new double[count * p];
            for (int i = 0; i < count; i++) z[i].AsSpan(0, n).CopyTo(m.AsSpan(i * p));
            for (int b = _blocks.Count - 1; b >= 0; b--)
            {
                var (k0, nb, vt, t) = _blocks[b];
                if (count > 0) Apply(m.AsSpan(k0), count, p, vt, nb, p - k0, t, transposeT: true);
            }
            var result = new double[count][];
            for (int i = 0; i < count; i++) result[i] = m.AsSpan(i * p, p).ToArray();
            return result;
        }
    }
}
