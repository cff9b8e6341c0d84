using Nabla.Diagnostics;

namespace Nabla.LinearAlgebra;

/// <summary>
/// The matrix exponential and its Fréchet derivative L(A, E) = d/dt expm(A + tE) at t = 0, by scaling and squaring with
/// Padé approximants: Higham, "The scaling and squaring method for the matrix exponential revisited", SIAM J. Matrix
/// Anal. Appl. 26(4), 2005 (the degrees 3, 5, 7, 9, 13 and their θ bounds, for expm alone), and Al-Mohy and Higham,
/// "Computing the Fréchet derivative of the matrix exponential, with an application to condition number estimation",
/// SIAM J. Matrix Anal. Appl. 30(4), 2009, Algorithm 6.4 (the pair, with the ℓ bounds of its Table 6.1, which keep the
/// backward error of both below 2⁻⁵³). Every product goes through the backend's GEMM and one LU factorisation of
/// V - U serves both solves, so the cost is that of about 20 (expm: 6 to 8) n×n products plus three per squaring.
/// </summary>
public static class MatrixExponential
{
    // Padé coefficients b_0..b_m of r_m(x) = p_m(x)/p_m(-x) for exp.
    private static readonly double[] B3 = [120, 60, 12, 1];
    private static readonly double[] B5 = [30240, 15120, 3360, 420, 30, 1];
    private static readonly double[] B7 = [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1];
    private static readonly double[] B9 = [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1];
    private static readonly double[] B13 =
    [
        64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
        670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
    ];

    // θ_m of Higham 2005, Table 2.3 (expm alone), and ℓ_m of Al-Mohy and Higham 2009, Table 6.1 (with the derivative).
    private static readonly (int M, double Theta, double Ell)[] Degrees =
    [
        (3, 1.495585217958292e-2, 1.08e-2), (5, 2.539398330063230e-1, 2.00e-1), (7, 9.504178996162932e-1, 7.83e-1),
        (9, 2.097847961257068e0, 1.78e0),
    ];
    private const double Ell13 = 4.74e0;

    /// <summary>θ₁₃ of the 2009 algorithm (as SciPy's expm): below Higham 2005's 5.37, so that ℓ rarely adds squarings.</summary>
    private const double Theta13New = 4.25;

    /// <summary>expm(A) of a square matrix.</summary>
    public static Tensor Expm(Tensor a, IBlas? blas = null) => Run(a, null, blas ?? Blas.Managed).Exp;

    /// <summary>expm(A) and L(A, E), the Fréchet derivative of expm at A in the direction E (A and E square, one size).</summary>
    public static (Tensor Exp, Tensor Frechet) ExpmFrechet(Tensor a, Tensor e, IBlas? blas = null)
    {
        var (x, l) = Run(a, e, blas ?? Blas.Managed);
        return (x, l!);
    }

    private static (Tensor Exp, Tensor? Frechet) Run(Tensor a, Tensor? e, IBlas blas)
    {
        int n = a.Rows;
        if (a.Kind != ShapeKind.Matrix || a.Cols != n) throw new ArgumentException($"expm needs a square matrix, not {a.Rows}×{a.Cols}");
        if (e is not null && (e.Rows != n || e.Cols != n)) throw new ArgumentException($"the direction of expm's derivative must be {n}×{n}, not {e.Rows}×{e.Cols}");
        foreach (var v in a.Data)
            if (!double.IsFinite(v)) throw new NablaException(ErrorCodes.DomainError, "expm of a matrix with a non-finite entry");
        if (e is not null)
            foreach (var v in e.Data)
                if (!double.IsFinite(v)) throw new NablaException(ErrorCodes.DomainError, "the derivative of expm in a direction with a non-finite entry");
        if (n == 0) return (Tensor.Zeros(ShapeKind.Matrix, 0, 0), e is null ? null : Tensor.Zeros(ShapeKind.Matrix, 0, 0));

        var k = new Kernel(n, blas);
        var A = (double[])a.Data.Clone();
        var E = e is null ? null : (double[])e.Data.Clone();
        double norm = Norm1(A, n);
        if (norm == 0) return (Identity(n), E is null ? null : Tensor.Matrix(E, n, n)); // expm(0) = I, L(0, E) = E
        double[] U, V;
        double[]? Lu = null, Lv = null;
        int s = 0;
        if (E is null)
            (U, V, s) = ExpOnly(k, A, n);
        else
        {
            // Algorithm 6.4 of Al-Mohy and Higham 2009 (SciPy's expm_frechet): the degree and scaling from ‖A‖₁.
            var small = Degrees.FirstOrDefault(d => norm <= d.Ell);
            if (small.M != 0)
                (U, V, Lu, Lv) = k.PadeLow(Coefficients(small.M), A, E);
            else
            {
                // Degree 13. The scaling as Algorithm 5.1 of the 2009 expm paper chooses it, from d_k = ‖A^k‖^(1/k) ≤ ‖A‖₁
                // with the ℓ correction, against ℓ₁₃ of the pair: for non-normal A far fewer squarings than ‖A‖₁ asks
                // (8 → 1 on [1e-3 1e3 0; 0 1e-3 1e3; 1e-6 0 -1e-3]), whose rounding errors the squarings amplify.
                var (a2, a4, a6) = (k.Product(A, A), (double[]?)null, (double[]?)null);
                a4 = k.Product(a2, a2);
                a6 = k.Product(a4, a2);
                double eta = Math.Min(norm, Eta5(Norm1(a4, n), Norm1(a6, n)));
                s = Math.Max(0, (int)Math.Ceiling(Math.Log2(eta / Ell13)));
                var scaled = (double[])A.Clone();
                Scale(scaled, s);
                s += Ell(scaled, n, 13);
                Scale(A, s);
                Scale(E, s);
                Scale(a2, 2 * s);
                Scale(a4, 4 * s);
                Scale(a6, 6 * s);
                (U, V, Lu, Lv) = k.Pade13(A, E, (a2, a4, a6));
            }
        }

        // R = (V - U) \ (U + V); L = (V - U) \ (Lu + Lv + (Lu - Lv) R): one factorisation, two solves.
        var q = new double[n * n];
        var rhs = new double[n * n];
        for (int i = 0; i < q.Length; i++) { q[i] = V[i] - U[i]; rhs[i] = U[i] + V[i]; }
        var piv = new int[n];
        if (!blas.Getrf(n, q, piv))
            throw new NablaException(ErrorCodes.DomainError, "expm: the Padé denominator is singular (the argument is too ill-conditioned to exponentiate)");
        blas.Getrs(n, n, q, piv, rhs);
        var R = rhs;
        double[]? L = null;
        if (E is not null)
        {
            var diff = new double[n * n];
            L = new double[n * n];
            for (int i = 0; i < diff.Length; i++) { diff[i] = Lu![i] - Lv![i]; L[i] = Lu[i] + Lv[i]; }
            k.MulAdd(diff, R, L);
            blas.Getrs(n, n, q, piv, L);
        }

        // Squaring: L ← R L + L R, R ← R² (s times).
        var t = new double[n * n];
        for (int j = 0; j < s; j++)
        {
            if (L is not null)
            {
                k.Mul(R, L, t);
                k.MulAdd(L, R, t);
                (L, t) = (t, L);
            }
            k.Mul(R, R, t);
            (R, t) = (t, R);
        }
        return (Tensor.Matrix(R, n, n), L is null ? null : Tensor.Matrix(L, n, n));
    }

    private static double[] Coefficients(int m) => m switch { 3 => B3, 5 => B5, 7 => B7, 9 => B9, _ => B13 };

    private static Tensor Identity(int n)
    {
        var t = Tensor.Zeros(ShapeKind.Matrix, n, n);
        for (int i = 0; i < n; i++) t[i, i] = 1;
        return t;
    }

    private static void Scale(double[] a, int s)
    {
        if (s == 0) return;
        double f = Math.ScaleB(1.0, -s);
        for (int i = 0; i < a.Length; i++) a[i] *= f;
    }

    /// <summary>
    /// expm alone: Algorithm 5.1 of Al-Mohy and Higham, "A new scaling and squaring algorithm for the matrix exponential",
    /// SIAM J. Matrix Anal. Appl. 31(3), 2009 (SciPy's expm). The degree and scaling come from d_k = ‖A^k‖₁^(1/k), which
    /// can be far below ‖A‖₁ for non-normal A (so fewer squarings and their rounding errors), with the correction ℓ that
    /// keeps the backward error bound; d₈ and d₁₀ are bounded by ‖A⁴‖² and ‖A⁴‖‖A⁶‖ (no further products).
    /// </summary>
    private static (double[] U, double[] V, int S) ExpOnly(Kernel k, double[] a, int n)
    {
        var a2 = k.Product(a, a);
        var a4 = k.Product(a2, a2);
        var a6 = k.Product(a4, a2);
        double n4 = Norm1(a4, n), n6 = Norm1(a6, n);
        double d4 = Math.Pow(n4, 0.25), d6 = Math.Pow(n6, 1.0 / 6), d8 = d4; // ‖A⁸‖ ≤ ‖A⁴‖²
        double eta1 = Math.Max(d4, d6);
        if (eta1 <= Degrees[0].Theta && Ell(a, n, 3) == 0) return Low(3);
        if (eta1 <= Degrees[1].Theta && Ell(a, n, 5) == 0) return Low(5);
        double eta3 = Math.Max(d6, d8);
        if (eta3 <= Degrees[2].Theta && Ell(a, n, 7) == 0) return Low(7);
        if (eta3 <= Degrees[3].Theta && Ell(a, n, 9) == 0) return Low(9);
        int s = Math.Max(0, (int)Math.Ceiling(Math.Log2(Eta5(n4, n6) / Theta13New)));
        var scaled = (double[])a.Clone();
        Scale(scaled, s);
        s += Ell(scaled, n, 13);
        // The powers of 2^-s A are those of A scaled by 4^-s, 16^-s, 64^-s: exact, no products again.
        Scale(a, s);
        Scale(a2, 2 * s);
        Scale(a4, 4 * s);
        Scale(a6, 6 * s);
        var (u, v, _, _) = k.Pade13(a, null, (a2, a4, a6));
        return (u, v, s);

        (double[], double[], int) Low(int m)
        {
            var (u, v, _, _) = k.PadeLow(Coefficients(m), a, null, [a2, a4, a6]);
            return (u, v, 0);
        }
    }

    /// <summary>
    /// η₅ = min(max(d₆, d₈), max(d₈, d₁₀)) of Algorithm 5.1, with d₈ ≤ ‖A⁴‖^(1/4) and d₁₀ ≤ (‖A⁴‖‖A⁶‖)^(1/10) (no more
    /// products: bounds only make the scaling more cautious).
    /// </summary>
    private static double Eta5(double n4, double n6)
    {
        double d6 = Math.Pow(n6, 1.0 / 6), d8 = Math.Pow(n4, 0.25), d10 = Math.Pow(n4 * n6, 0.1);
        return Math.Min(Math.Max(d6, d8), Math.Max(d8, d10));
    }

    /// <summary>1/|c_(2m+1)| = (2m)!(2m+1)!/(m!)², the leading coefficient of the Padé error series.</summary>
    private static double CoefficientReciprocal(int m) => m switch
    {
        3 => 100800.0, 5 => 10059033600.0, 7 => 4487938430976000.0, 9 => 5914384781877411840000.0,
        _ => 113250775606021113483283660800000000.0,
    };

    /// <summary>
    /// ℓ(A, m) = max(⌈log₂(α/u)/(2m)⌉, 0) with α = |c_(2m+1)| ‖|A|^(2m+1)‖₁ / ‖A‖₁: the extra squarings that keep the
    /// truncation error below the unit roundoff u = 2⁻⁵³. ‖|A|^p‖₁ of the non-negative |A| is exact from p products
    /// of the row vector of ones with |A| (n² each).
    /// </summary>
    private static int Ell(double[] a, int n, int m)
    {
        int p = 2 * m + 1;
        var v = Enumerable.Repeat(1.0, n).ToArray();
        var w = new double[n];
        for (int step = 0; step < p; step++)
        {
            Array.Clear(w);
            for (int i = 0; i < n; i++)
            {
                double vi = v[i];
                if (vi == 0) continue;
                for (int j = 0; j < n; j++) w[j] += vi * Math.Abs(a[i * n + j]);
            }
            (v, w) = (w, v);
        }
        double alpha = v.Max() / (Norm1(a, n) * CoefficientReciprocal(m));
        if (!(alpha > 0)) return 0;
        int value = (int)Math.Ceiling(Math.Log2(alpha / Math.ScaleB(1.0, -53)) / (2 * m));
        return Math.Max(value, 0);
    }

    private static double Norm1(double[] a, int n)
    {
        var col = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) col[j] += Math.Abs(a[i * n + j]);
        return n == 0 ? 0 : col.Max();
    }

    private sealed class Kernel(int n, IBlas blas)
    {
        public double[] New() => new double[n * n];

        /// <summary>C = X·Y.</summary>
        public void Mul(double[] x, double[] y, double[] c) => blas.Gemm(false, false, n, n, n, 1, x, n, y, n, 0, c, n);

        /// <summary>C += X·Y.</summary>
        public void MulAdd(double[] x, double[] y, double[] c) => blas.Gemm(false, false, n, n, n, 1, x, n, y, n, 1, c, n);

        public double[] Product(double[] x, double[] y) { var c = New(); Mul(x, y, c); return c; }

        /// <summary>X·Y + Y·X (the derivative of a square: M₂ = A E + E A, and so on up).</summary>
        public double[] Sym(double[] x, double[] y, double[] z, double[] w) { var c = Product(x, y); MulAdd(z, w, c); return c; }

        /// <summary>Σ c_i X_i (+ c·I).</summary>
        public double[] Combine(double identity, params (double C, double[] X)[] terms)
        {
            var r = New();
            foreach (var (c, x) in terms)
                for (int i = 0; i < r.Length; i++) r[i] += c * x[i];
            if (identity != 0) for (int i = 0; i < n; i++) r[i * n + i] += identity;
            return r;
        }

        /// <summary>U = A Σ b_(2j+1) A^(2j), V = Σ b_(2j) A^(2j), and their derivatives in E, for m = 3, 5, 7, 9.</summary>
        public (double[] U, double[] V, double[]? Lu, double[]? Lv) PadeLow(double[] b, double[] a, double[]? e, double[][]? known = null)
        {
            int m = b.Length - 1, half = m / 2;
            var pow = new List<double[]>(); // A², A⁴, …
            var dpow = new List<double[]>(); // M₂, M₄, …
            pow.Add(known?[0] ?? Product(a, a));
            if (e is not null) dpow.Add(Sym(a, e, e, a));
            for (int j = 1; j < half; j++)
            {
                // A^(2j+2) = A^(2j) A² (j = 1: A⁴ = A² A²); M likewise by the product rule
                var prev = pow[j - 1];
                pow.Add(known is not null && j < known.Length ? known[j] : Product(pow[0], prev));
                if (e is not null) dpow.Add(Sym(pow[0], dpow[j - 1], dpow[0], prev));
            }
            var oddTerms = Enumerable.Range(1, half).Select(j => (b[2 * j + 1], pow[j - 1])).ToArray();
            var evenTerms = Enumerable.Range(1, half).Select(j => (b[2 * j], pow[j - 1])).ToArray();
            var inner = Combine(b[1], oddTerms);
            var U = Product(a, inner);
            var V = Combine(b[0], evenTerms);
            if (e is null) return (U, V, null, null);
            var dOdd = Combine(0, Enumerable.Range(1, half).Select(j => (b[2 * j + 1], dpow[j - 1])).ToArray());
            var Lu = Product(a, dOdd);
            MulAdd(e, inner, Lu);
            var Lv = Combine(0, Enumerable.Range(1, half).Select(j => (b[2 * j], dpow[j - 1])).ToArray());
            return (U, V, Lu, Lv);
        }

        /// <summary>Degree 13: U = A (A⁶ W₁ + W₂), V = A⁶ Z₁ + Z₂, and their derivatives (Al-Mohy and Higham 2009, (6.11)–(6.13)).</summary>
        public (double[] U, double[] V, double[]? Lu, double[]? Lv) Pade13(double[] a, double[]? e, (double[] A2, double[] A4, double[] A6)? known = null)
        {
            var b = B13;
            var a2 = known?.A2 ?? Product(a, a);
            var a4 = known?.A4 ?? Product(a2, a2);
            var a6 = known?.A6 ?? Product(a2, a4);
            var w1 = Combine(0, (b[13], a6), (b[11], a4), (b[9], a2));
            var w = Combine(b[1], (b[7], a6), (b[5], a4), (b[3], a2)); // W₂, then W = A⁶ W₁ + W₂
            MulAdd(a6, w1, w);
            var z1 = Combine(0, (b[12], a6), (b[10], a4), (b[8], a2));
            var V = Combine(b[0], (b[6], a6), (b[4], a4), (b[2], a2));
            MulAdd(a6, z1, V);
            var U = Product(a, w);
            if (e is null) return (U, V, null, null);
            var m2 = Sym(a, e, e, a);
            var m4 = Sym(a2, m2, m2, a2);
            var m6 = Sym(a4, m2, m4, a2);
            var lw1 = Combine(0, (b[13], m6), (b[11], m4), (b[9], m2));
            var lw = Combine(0, (b[7], m6), (b[5], m4), (b[3], m2)); // Lw₂, then Lw = A⁶ Lw₁ + M₆ W₁ + Lw₂
            MulAdd(a6, lw1, lw);
            MulAdd(m6, w1, lw);
            var lz1 = Combine(0, (b[12], m6), (b[10], m4), (b[8], m2));
            var Lv = Combine(0, (b[6], m6), (b[4], m4), (b[2], m2));
            MulAdd(a6, lz1, Lv);
            MulAdd(m6, z1, Lv);
            var Lu = Product(a, lw);
            MulAdd(e, w, Lu);
            return (U, V, Lu, Lv);
        }
    }
}
