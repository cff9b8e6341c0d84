using Nabla.Models;

namespace Nabla.Tests.Fitting;

/// <summary>
/// Columns of very different sizes (1e150 beside 1, 1e6 beside 1e-4): the rows' solvers scale the columns before
/// deciding the rank and before taking gradient steps, so every solver finds the normal equations' w, no false
/// dependency is reported, and rank-deficient designs still get the minimum-norm solution in the caller's units.
/// </summary>
public class ColumnScaleTests
{
    private static (double[,] X, double[] Y) Data(double[] scales, Func<double[], double> target, int n = 60, int seed = 7)
    {
        var rng = new Random(seed);
        var x = new double[n, scales.Length];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = new double[scales.Length];
            for (int j = 0; j < scales.Length; j++) x[i, j] = row[j] = (rng.NextDouble() + (j == 0 ? 1 : -0.5)) * scales[j];
            y[i] = target(row) + 0.01 * (rng.NextDouble() - 0.5);
        }
        return (x, y);
    }

    [Theory]
    [InlineData(Solver.Qr)]
    [InlineData(Solver.Svd)]
    [InlineData(Solver.Gd)]
    public void Huge_and_unit_columns_give_the_normal_equations_w_and_no_false_dependency(Solver solver)
    {
        var (x, y) = Data([1e150, 1.0], r => 3e-150 * r[0] + 0.5 * r[1] + 1);
        var normal = LinearRegression.Fit(x, y, new RegressionOptions { Solver = Solver.Normal });
        var other = LinearRegression.Fit(x, y, new RegressionOptions { Solver = solver });
        Assert.Equal(3, other.Rank);
        Assert.Empty(other.Dependencies);
        Assert.Equal(normal.Intercept, other.Intercept, 1e-9);
        for (int j = 0; j < 2; j++)
            Assert.True(Math.Abs(other.Coefficients[j] - normal.Coefficients[j]) <= 1e-8 * Math.Abs(normal.Coefficients[j]),
                $"{solver}: w[{j}] = {other.Coefficients[j]:R}, normal equations {normal.Coefficients[j]:R}");
        Assert.True(other.RSquared > 0.999, $"{solver}: R² {other.RSquared}");
    }

    [Fact]
    public void Gd_on_mixed_scales_converges_and_says_how()
    {
        var (x, y) = Data([1e6, 1e-4, 1.0], r => 2e-6 * r[0] + 3e4 * r[1] + 0.5 * r[2] + 1);
        var normal = LinearRegression.Fit(x, y, new RegressionOptions { Solver = Solver.Normal });
        var gd = LinearRegression.Fit(x, y, new RegressionOptions { Solver = Solver.Gd });
        for (int j = 0; j < 3; j++)
            Assert.Equal(1, gd.Coefficients[j] / normal.Coefficients[j], 1e-8);
        Assert.Contains(gd.Warnings, w => w.Contains("on columns scaled to unit RMS"));
        Assert.DoesNotContain(gd.Warnings, w => w.Contains("did not converge"));
    }

    [Theory]
    [InlineData(Solver.Svd)]
    [InlineData(Solver.Gd)]
    public void A_dependent_column_of_another_size_still_gets_the_minimum_norm_solution(Solver solver)
    {
        // c = 1000 * a: rank 3 of 4; the minimum-norm w is the one orthogonal to the null vector (1000, 0, -1) / ‖·‖.
        var (x0, y) = Data([1.0, 1.0], r => 2 * r[0] - r[1] + 1);
        int n = x0.GetLength(0);
        var x = new double[n, 3];
        for (int i = 0; i < n; i++) { x[i, 0] = x0[i, 0]; x[i, 1] = x0[i, 1]; x[i, 2] = 1000 * x0[i, 0]; }
        var fit = LinearRegression.Fit(x, y, new RegressionOptions { Solver = solver });
        Assert.Equal(3, fit.Rank);
        double along = 1000 * fit.Coefficients[0] - fit.Coefficients[2]; // the component on the null direction, times its norm
        Assert.True(Math.Abs(along) < 1e-6 * Math.Abs(fit.Coefficients[2]), $"{solver}: w = {string.Join(", ", fit.Coefficients)}");
        Assert.Equal(2.0, fit.Coefficients[0] + 1000 * fit.Coefficients[2], 2); // a's total effect: w_a + 1000 w_c
    }
}
