namespace Nabla.LinearAlgebra;

/// <summary>
/// Cholesky factorisation of a symmetric positive semi-definite matrix (row-major, p×p) that reveals
/// rank greedily from left to right: a column whose residual pivot (its squared distance from the span
/// of the columns kept before it, relative to its own squared length) falls below a tolerance is skipped
/// and reported as dependent. So a dependent column is always written in terms of earlier ones.
/// </summary>
/// <remarks>Mirrors LAPACK dpotrf (lower), with dpotrs for solves and a dpocon-style condition estimate.</remarks>
public sealed class Cholesky
{
    private readonly double[] _l;  // lower factor over the kept columns, k×k row-major
    private readonly int[] _kept;

    private Cholesky(int p, double[] l, int[] kept, int[] dependent, double[] scale, double[] residuals)
    {
        Size = p;
        _l = l;
        _kept = kept;
        Dependent = dependent;
        Scale = scale;
        Residuals = residuals;
    }

    /// <summary>The order p of the matrix factored.</summary>
    public int Size { get; }
    /// <summary>The columns kept, in order: those the factor spans.</summary>
    public IReadOnlyList<int> Kept => _kept;
    /// <summary>The columns skipped as dependent on earlier ones, in order.</summary>
    public IReadOnlyList<int> Dependent { get; }
    /// <summary>The number of columns kept: the rank found.</summary>
    public int Rank => _kept.Length;

    /// <summary>The diagonal scaling used: column j was divided by Scale[j] (its length; 0 for a zero column).</summary>
    public double[] Scale { get; }

    /// <summary>Relative residual pivot of each column (1 = orthogonal to the earlier kept columns, 0 = in their span).</summary>
    public double[] Residuals { get; }

    /// <summary>Factorises <paramref name="a"/> (p×p, symmetric); pivots below <paramref name="tolerance"/> (relative) mark dependent columns.</summary>
    public static Cholesky Factor(double[] a, int p, double tolerance)
    {
        var scale = new double[p];
        for (int j = 0; j < p; j++) scale[j] = a[j * p + j] > 0 ? Math.Sqrt(a[j * p + j]) : 0;
        var kept = new List<int>();
        var dependent = new List<int>();
        var residuals = new double[p];
        var l = new double[p * p]; // rows indexed by kept order
        for (int j = 0; j < p; j++)
        {
            if (scale[j] == 0) { dependent.Add(j); continue; }
            int k = kept.Count;
            // row k of L: L[k,i] = (S[j, kept_i] - Σ_{t<i} L[k,t] L[i,t]) / L[i,i]
            for (int i = 0; i < k; i++)
            {
                double s = a[j * p + kept[i]] / (scale[j] * scale[kept[i]]);
                for (int t = 0; t < i; t++) s -= l[k * p + t] * l[i * p + t];
                l[k * p + i] = s / l[i * p + i];
            }
            double dsum = 1;
            for (int t = 0; t < k; t++) dsum -= l[k * p + t] * l[k * p + t];
            residuals[j] = dsum;
            if (dsum <= tolerance)
            {
                for (int t = 0; t < k; t++) l[k * p + t] = 0;
                dependent.Add(j);
                continue;
            }
            l[k * p + k] = Math.Sqrt(dsum);
            kept.Add(j);
        }
        int r = kept.Count;
        var packed = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int t = 0; t <= i; t++) packed[i * r + t] = l[i * p + t];
        return new Cholesky(p, packed, [.. kept], [.. dependent], scale, residuals);
    }

    /// <summary>Solves A_kk z = b_k over the kept columns (in the original, unscaled coordinates); dependent entries are 0.</summary>
    public double[] Solve(ReadOnlySpan<double> b)
    {
        int r = _kept.Length;
        var z = new double[r];
        for (int i = 0; i < r; i++) z[i] = b[_kept[i]] / Scale[_kept[i]];
        SolveScaled(z);
        var x = new double[Size];
        for (int i = 0; i < r; i++) x[_kept[i]] = z[i] / Scale[_kept[i]];
        return x;
    }

    /// <summary>Solves (L L') z = b in place, in the scaled coordinates of the kept columns.</summary>
    private void SolveScaled(Span<double> z)
    {
        int r = _kept.Length;
        for (int i = 0; i < r; i++)
        {
            double s = z[i];
            for (int t = 0; t < i; t++) s -= _l[i * r + t] * z[t];
            z[i] = s / _l[i * r + i];
        }
        for (int i = r - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int t = i + 1; t < r; t++) s -= _l[t * r + i] * z[t];
            z[i] = s / _l[i * r + i];
        }
    }

    /// <summary>The inverse of A over the kept columns (unscaled), p×p with zero rows and columns for dependent ones.</summary>
    public double[] Inverse()
    {
        int r = _kept.Length, p = Size;
        var inv = new double[p * p];
        var z = new double[r];
        for (int c = 0; c < r; c++)
        {
            Array.Clear(z);
            z[c] = 1;
            SolveScaled(z);
            for (int i = 0; i < r; i++) inv[_kept[i] * p + _kept[c]] = z[i] / (Scale[_kept[i]] * Scale[_kept[c]]);
        }
        return inv;
    }

    /// <summary>
    /// The coefficients expressing dependent column <paramref name="j"/> by the kept columns before it:
    /// x_j ≈ Σ a_i x_i, from A_kk a = A[kept, j] restricted to kept columns with index &lt; j.
    /// </summary>
    public double[] Relation(double[] a, int j)
    {
        int p = Size;
        var before = _kept.Where(k => k < j).ToArray();
        var sub = new double[before.Length * before.Length];
        var rhs = new double[before.Length];
        for (int i = 0; i < before.Length; i++)
        {
            rhs[i] = a[before[i] * p + j];
            for (int t = 0; t < before.Length; t++) sub[i * before.Length + t] = a[before[i] * p + before[t]];
        }
        var coef = new double[p];
        if (before.Length == 0) return coef;
        var f = Factor(sub, before.Length, 0);
        var z = f.Solve(rhs);
        for (int i = 0; i < before.Length; i++) coef[before[i]] = z[i];
        return coef;
    }

    /// <summary>
    /// An estimate of the 2-norm condition number of the scaled kept matrix, from Hager's 1-norm estimate of
    /// its inverse (as LAPACK dpocon) times its 1-norm; exact to within a factor of p.
    /// </summary>
    public double ConditionEstimate()
    {
        int r = _kept.Length;
        if (r == 0) return double.PositiveInfinity;
        // ‖S‖₁ with S = L L'
        double normS = 0;
        for (int j = 0; j < r; j++)
        {
            double col = 0;
            for (int i = 0; i < r; i++)
            {
                double s = 0;
                for (int t = 0; t <= Math.Min(i, j); t++) s += _l[i * r + t] * _l[j * r + t];
                col += Math.Abs(s);
            }
            normS = Math.Max(normS, col);
        }
        var x = new double[r];
        Array.Fill(x, 1.0 / r);
        double est = 0;
        for (int iter = 0; iter < 5; iter++)
        {
            var y = (double[])x.Clone();
            SolveScaled(y);
            double ny = y.Sum(Math.Abs);
            if (ny <= est) break;
            est = ny;
            var xi = y.Select(v => v >= 0 ? 1.0 : -1.0).ToArray();
            SolveScaled(xi); // S is symmetric, so S⁻ᵀ = S⁻¹
            int jmax = 0;
            for (int i = 1; i < r; i++) if (Math.Abs(xi[i]) > Math.Abs(xi[jmax])) jmax = i;
            Array.Clear(x);
            x[jmax] = 1;
        }
        return est * normS;
    }
}
