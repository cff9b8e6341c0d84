using Nabla.Data;
using Nabla.LinearAlgebra;
using Nabla.Models;
using Nabla.Models.Formulas;

namespace Nabla.Tests.Fitting;

/// <summary>
/// Fewer rows than columns: both routes of <see cref="WideRegression"/> (Cholesky-QR2 on BLAS-3 products, and the
/// Householder LQ with a Jacobi SVD of the small factor) against an independent minimum-norm solution, and the
/// readers (CSV, formula) taking the wide route without forming the Gram matrix.
/// </summary>
public class WideRegressionTests
{
    private static (double[] X, double[] Y) Random(int n, int d, int seed, double noise = 0.1)
    {
        var rng = new Random(seed);
        var x = new double[n * d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = rng.NextDouble() * 2 - 1;
            y[i] = x[i * d] + 2 * x[i * d + 1] + noise * (rng.NextDouble() - 0.5);
        }
        return (x, y);
    }

    /// <summary>The minimum-norm solution of D w = z for a full-row-rank D (n×p): D'(D D')⁻¹ z, by an LU inverse.</summary>
    private static double[] MinimumNorm(double[] design, int n, int p, double[] z)
    {
        var dd = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
            {
                double s = 0;
                for (int j = 0; j < p; j++) s += design[i * p + j] * design[k * p + j];
                dd[i * n + k] = s;
            }
        var inv = DenseOps.Inverse(new Tensor(ShapeKind.Matrix, n, n, dd), "DD'");
        var a = new double[n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) a[i] += inv[i, k] * z[k];
        var w = new double[p];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < p; j++) w[j] += design[i * p + j] * a[i];
        return w;
    }

    private static double[] Design(double[] x, int n, int d, bool intercept)
    {
        int o = intercept ? 1 : 0, p = d + o;
        var design = new double[n * p];
        for (int i = 0; i < n; i++)
        {
            if (intercept) design[i * p] = 1;
            Array.Copy(x, i * d, design, i * p + o, d);
        }
        return design;
    }

    private static void Close(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Sqrt(expected.Sum(v => v * v));
        double err = Math.Sqrt(expected.Zip(actual, (a, b) => (a - b) * (a - b)).Sum());
        Assert.True(err <= tol * scale, $"{what}: |Δw| = {err:E3}, |w| = {scale:E3}");
    }

    [Theory]
    [InlineData(40, 120, true)]
    [InlineData(40, 120, false)]
    [InlineData(97, 98, true)]
    [InlineData(150, 2000, true)]
    public void Both_routes_give_the_minimum_norm_solution(int n, int d, bool intercept)
    {
        var (x, y) = Random(n, d, n + d);
        int p = d + (intercept ? 1 : 0);
        var expected = MinimumNorm(Design(x, n, d, intercept), n, p, y);
        var data = new RowData(x, n, d, y);
        foreach (bool fast in new[] { true, false })
        {
            var sol = WideRegression.Solve(data, intercept, Solver.Auto, fast);
            Assert.Equal(n, sol.Rank);
            Close(expected, sol.W, 1e-10, fast ? "Cholesky-QR2" : "Householder");
            // the null space is listed while it is small, and each vector of it is one: D v = 0, |v| = 1
            if (p - n <= LinearRegression.MaxRelationsNamed)
            {
                Assert.Equal(p - n, sol.Nulls.Count);
                var design = Design(x, n, d, intercept);
                foreach (var v in sol.Nulls)
                {
                    Assert.Equal(1, Math.Sqrt(v.Sum(c => c * c)), 12);
                    for (int i = 0; i < n; i++) Assert.True(Math.Abs(Orthogonal.Dot(design.AsSpan(i * p, p), v)) < 1e-10);
                }
            }
            else Assert.Empty(sol.Nulls);
        }
    }

    [Fact]
    public void Dependent_rows_take_the_householder_route_with_the_rank_and_standard_errors()
    {
        // rows 30..59 are twice rows 0..29, with their own noise: least squares over each pair (r, 2r) asks
        // r·w = (a + 2b)/5, so the answer is the minimum-norm solution of the 30 distinct rows for those targets.
        int m = 30, n = 2 * m, d = 90;
        var (x1, y1) = Random(m, d, 5);
        var rng = new Random(6);
        var x = new double[n * d];
        var y = new double[n];
        Array.Copy(x1, x, m * d);
        Array.Copy(y1, y, m);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < d; j++) x[(m + i) * d + j] = 2 * x1[i * d + j];
            y[m + i] = 2 * y1[i] + (rng.NextDouble() - 0.5);
        }
        var z = Enumerable.Range(0, m).Select(i => (y[i] + 2 * y[m + i]) / 5).ToArray();
        var expected = MinimumNorm(Design(x1, m, d, false), m, d, z);
        var fit = LinearRegression.Fit(x, n, d, y, new RegressionOptions { Intercept = false });
        Assert.Equal(m, fit.Rank);
        Close(expected, fit.Coefficients, 1e-9, "dependent rows");
        Assert.Equal(n - m, fit.DfResid);
        // residual degrees of freedom: the standard errors are σ·√diag((D'D)⁺), finite and positive
        Assert.All(fit.Table, row => Assert.True(row.StdError > 0 && double.IsFinite(row.StdError), $"{row.Name}: {row.StdError}"));
        Assert.Contains(fit.Warnings, w => w.Contains("fewer rows (60) than columns (90)"));
    }

    [Fact]
    public void A_zero_row_is_an_equation_that_cannot_hold_and_is_still_solved()
    {
        // 0·w = 1 leaves a residual of 1 whatever w is; the other rows are fitted exactly.
        int n = 10, d = 30;
        var (x, y) = Random(n, d, 11);
        Array.Clear(x, 3 * d, d);
        y[3] = 1;
        var fit = LinearRegression.Fit(x, n, d, y, new RegressionOptions { Intercept = false });
        Assert.Equal(n - 1, fit.Rank);
        Assert.Equal(1, fit.ResidualSumOfSquares, 9);
    }

    [Fact]
    public void Bad_values_in_wide_data_are_named_with_their_place()
    {
        int n = 5, d = 12;
        var (x, y) = Random(n, d, 8);
        x[2 * d + 7] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => LinearRegression.Fit(x, n, d, y));
        Assert.Equal("X[2, 7] is NaN: every value must be finite", e.Message);
        (x, y) = Random(n, d, 8);
        y[4] = double.PositiveInfinity;
        e = Assert.Throws<ArgumentException>(() => LinearRegression.Fit(x, n, d, y));
        Assert.Equal("y[4] is Infinity: every value must be finite", e.Message);
        (x, y) = Random(n, d, 8);
        for (int i = 0; i < n; i++) x[i * d + 3] = 1e200 * (i + 1);
        e = Assert.Throws<ArgumentException>(() => LinearRegression.Fit(x, n, d, y, new RegressionOptions { FeatureNames = [.. Enumerable.Range(0, d).Select(j => $"c{j}")] }));
        Assert.Equal("the values of 'c3' are too large for double precision: their squares overflow; divide the column by a power of ten (such as 1e150) and fit again", e.Message);
    }

    [Fact]
    public void The_summary_of_an_interpolating_fit_has_no_sigma_and_no_f_test()
    {
        var (x, y) = Random(20, 50, 2);
        var fit = LinearRegression.Fit(x, 20, 50, y);
        Assert.Equal(0, fit.DfResid);
        Assert.True(double.IsNaN(fit.ResidualStdError), $"σ = {fit.ResidualStdError}");
        Assert.True(double.IsNaN(fit.FStatistic), $"F = {fit.FStatistic}");
        Assert.Contains(fit.Warnings, w => w.Contains("no residual degrees of freedom"));
        Assert.DoesNotContain(fit.Warnings, w => w.Contains("beyond what double precision supports"));
    }

    [Fact]
    public void A_wide_csv_is_fitted_on_its_rows_without_sums()
    {
        int n = 25, d = 60;
        var (x, y) = Random(n, d, 4);
        var path = Path.Combine(Path.GetTempPath(), $"nabla-wide-{Guid.NewGuid():N}.csv");
        try
        {
            using (var w = new StreamWriter(path))
            {
                w.WriteLine(string.Join(",", Enumerable.Range(0, d).Select(j => $"c{j}").Append("y")));
                for (int i = 0; i < n; i++)
                    w.WriteLine(string.Join(",", Enumerable.Range(0, d).Select(j => x[i * d + j].ToString("R", System.Globalization.CultureInfo.InvariantCulture))
                        .Append(y[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            }
            var (sums, rows, _) = CsvSource.Read(path, "y", null, keepAll: false, keepSmall: true, progress: null, deferWhileWide: true);
            Assert.Null(sums);
            Assert.Equal(n, rows!.N);
            var fromCsv = CsvRegression.Fit(path, "y");
            var inMemory = LinearRegression.Fit(x, n, d, y);
            Close([inMemory.Intercept, .. inMemory.Coefficients], [fromCsv.Intercept, .. fromCsv.Coefficients], 1e-12, "CSV");
            Assert.Equal(["c0", "c1"], fromCsv.FeatureNames.Take(2));
            // ridge cannot take the wide route: the rows give the sums after all
            var ridge = CsvRegression.Fit(path, "y", options: new RegressionOptions { Ridge = 0.5 });
            Assert.Equal("ridge", ridge.Solver);
            // the formula reader takes it too
            var frame = FrameReader.Read(path);
            var (viaFormula, _) = FormulaModels.Regress(frame, Formula.Parse("y ~ " + string.Join(" + ", Enumerable.Range(0, d).Select(j => $"c{j}"))));
            Close([inMemory.Intercept, .. inMemory.Coefficients], [viaFormula.Intercept, .. viaFormula.Coefficients], 1e-12, "formula");
        }
        finally { File.Delete(path); }
    }
}

/// <summary>The one-sided Jacobi SVD the wide and the tall orthogonal routes share: A = U Σ V' on full and rank-deficient matrices.</summary>
public class JacobiSvdTests
{
    [Theory]
    [InlineData(50, 30, 30)]
    [InlineData(200, 120, 57)]
    [InlineData(120, 120, 1)]
    [InlineData(7, 7, 0)]
    public void The_factors_rebuild_the_matrix_and_the_rank_is_read_off(int m, int k, int rank)
    {
        var rng = new Random(m * 31 + k);
        // A = B C with B m×rank and C rank×k: exactly rank `rank`, then stored as its k columns of length m
        var b = new double[m * rank];
        var c = new double[rank * k];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextDouble() - 0.5;
        for (int i = 0; i < c.Length; i++) c[i] = rng.NextDouble() - 0.5;
        var cols = new double[k][];
        for (int j = 0; j < k; j++)
        {
            cols[j] = new double[m];
            for (int i = 0; i < m; i++)
                for (int t = 0; t < rank; t++) cols[j][i] += b[i * rank + t] * c[t * k + j];
        }
        var a = cols.Select(col => (double[])col.Clone()).ToArray();
        var (u, s, v) = Orthogonal.SvdOfColumns(cols);
        double tol = (s.Length > 0 ? s[0] : 0) * Math.Max(m, k) * 2.220446049250313e-16;
        Assert.Equal(rank, s.Count(x => x > tol));
        for (int i = 1; i < s.Length; i++) Assert.True(s[i] <= s[i - 1]);
        double scale = Math.Max(s.Length > 0 ? s[0] : 0, 1e-300);
        // column j of A = Σ_t u_t σ_t V[j, t]
        for (int j = 0; j < k; j++)
            for (int i = 0; i < m; i++)
            {
                double rebuilt = 0;
                for (int t = 0; t < k; t++) rebuilt += u[t][i] * s[t] * v[t][j];
                Assert.True(Math.Abs(rebuilt - a[j][i]) <= 1e-12 * scale, $"A[{i},{j}]: {rebuilt} vs {a[j][i]}");
            }
        // V is orthogonal; the left vectors of the nonzero singular values are orthonormal
        for (int x = 0; x < k; x++)
            for (int y = 0; y < k; y++)
            {
                Assert.Equal(x == y ? 1 : 0, Orthogonal.Dot(v[x], v[y]), 12);
                if (x < rank && y < rank) Assert.Equal(x == y ? 1 : 0, Orthogonal.Dot(u[x], u[y]), 10);
            }
    }
}
