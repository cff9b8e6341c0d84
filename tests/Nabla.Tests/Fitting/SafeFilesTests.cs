using Nabla.Data;
using Nabla.Models;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Fitting;

/// <summary>
/// Nothing lost, nothing silently wrong (issue 13): outputs never overwrite an input and appear only when
/// complete; a decimal comma is an error naming the place, and --decimal , reads it; quoted numbers and a
/// trailing blank line are fine.
/// </summary>
public sealed class SafeFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-safe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Rc, string Out, string Err) Run(params string[] args) => Tests.Cli.CliRunner.Run(args);

    private const string Train = "a,b,y\n1,2,3\n2,1,2\n2.5,3,4\n1,1,1\n0,2,1\n";

    [Fact]
    public void An_output_that_is_the_prediction_input_is_refused_and_the_file_kept()
    {
        var train = Write("train.csv", Train);
        var fresh = Write("new.csv", Train);
        var (rc, _, err) = Run("regress", train, "--target", "y", "--predict", fresh, "--output", fresh);
        Assert.Equal(2, rc);
        Assert.Contains("is also an input", err);
        Assert.Equal(Train, File.ReadAllText(fresh));
    }

    [Fact]
    public void An_output_that_is_the_training_data_is_refused_even_under_another_name()
    {
        var train = Write("train.csv", Train);
        var fresh = Write("new.csv", Train);
        var other = Path.Combine(_dir, ".", "train.csv");
        var (rc, _, err) = Run("regress", train, "--target", "y", "--predict", fresh, "--output", other);
        Assert.Equal(2, rc);
        Assert.Contains("is also an input", err);
        Assert.Equal(Train, File.ReadAllText(train));
    }

    [Fact]
    public void An_error_midway_leaves_the_old_output_and_no_partial_file()
    {
        var train = Write("train.csv", Train);
        var rows = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i},1,0\n"));
        var bad = Write("bad.csv", "a,b,y\n" + rows + "x,1,2\n");
        var output = Write("out.csv", "old\n");
        var (rc, _, err) = Run("regress", train, "--target", "y", "--predict", bad, "--output", output);
        Assert.Equal(1, rc);
        Assert.Contains("row 301 (line 302), column 'a': 'x' is not a number", err);
        Assert.Equal("old\n", File.ReadAllText(output));
        Assert.Equal("bad.csv,out.csv,train.csv", string.Join(",", Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Order()));
    }

    [Fact]
    public void A_complete_output_replaces_the_file()
    {
        var train = Write("train.csv", Train);
        var fresh = Write("new.csv", "a,b\n1,1\n2,2\n");
        var output = Write("out.csv", "old\n");
        var (rc, stdout, _) = Run("regress", train, "--target", "y", "--predict", fresh, "--output", output);
        Assert.Equal(0, rc);
        Assert.Contains("wrote 2 predictions", stdout);
        var lines = File.ReadAllLines(output);
        Assert.Equal("a,b,prediction", lines[0]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void An_output_folder_is_a_command_line_error()
    {
        var train = Write("train.csv", Train);
        var (rc, _, err) = Run("regress", train, "--target", "y", "--predict", train, "--output", _dir);
        Assert.Equal(2, rc);
        Assert.Contains("is a folder", err);
    }

    [Fact]
    public void A_folder_as_the_data_says_so()
    {
        var e = Assert.Throws<CsvDataException>(() => CsvRegression.Fit(_dir, "y"));
        Assert.Contains("is a folder, not a CSV file", e.Message);
    }

    [Theory]
    [InlineData("a;b;y\n1,5;2;3\n-0,75;1;2\n2;3;4,5\n1;1;1\n", "row 1 (line 2), column 'a': '1,5' has a comma")]
    [InlineData("a\tb\ty\n1\t2\t3\n-0,75\t1\t2\n2\t3\t4\n1\t1\t1\n", "row 2 (line 3), column 'a': '-0,75' has a comma")]
    [InlineData("a;b;y\n1;2;3\n1;2;1.000,5\n", "row 2 (line 3), column 'y': '1.000,5' has a comma")]
    public void A_decimal_comma_is_an_error_that_names_the_place_and_the_fix(string text, string expected)
    {
        var path = Write("data.csv", text);
        var e = Assert.Throws<CsvDataException>(() => CsvRegression.Fit(path, "y"));
        Assert.StartsWith(expected, e.Message);
        Assert.Contains("--decimal ,", e.Message);
    }

    [Fact]
    public void With_decimal_comma_the_same_numbers_fit_as_with_a_point()
    {
        var comma = Write("comma.csv", "a;b;y\n1,5;2;3\n-0,75;1;2\n2;3;4,5\n1;1;1\n0,25;2;1\n");
        var point = Write("point.csv", "a,b,y\n1.5,2,3\n-0.75,1,2\n2,3,4.5\n1,1,1\n0.25,2,1\n");
        var c = CsvRegression.Fit(comma, "y", decimalSeparator: ',');
        var p = CsvRegression.Fit(point, "y");
        Assert.Equal(p.Coefficients, c.Coefficients);
        var e = Assert.Throws<CsvDataException>(() => CsvRegression.Fit(Write("mixed.csv", "a;b;y\n1.5;2;3\n1;1;1\n2;1;0\n"), "y", decimalSeparator: ','));
        Assert.Contains("'1.5' has a point", e.Message);
    }

    [Fact]
    public void A_decimal_separator_other_than_point_or_comma_is_a_command_line_error()
    {
        var path = Write("data.csv", Train);
        var (rc, _, err) = Run("regress", path, "--target", "y", "--decimal", ";");
        Assert.Equal(2, rc);
        Assert.Contains("--decimal takes '.' or ','", err);
    }

    [Fact]
    public void A_decimal_comma_cannot_go_with_comma_separated_fields()
    {
        var path = Write("data.csv", Train);
        var e = Assert.Throws<CsvDataException>(() => CsvRegression.Fit(path, "y", decimalSeparator: ','));
        Assert.Contains("separates its fields with commas", e.Message);
    }

    [Fact]
    public void Quoted_numbers_and_a_trailing_blank_line_are_fine()
    {
        var quoted = Write("q.csv", "a,b,y\n\"1\",2,3\n2,\"1\",2\n\"2.5\",3,4\n1,1,1\n0,2,1\n\n");
        var plain = Write("p.csv", Train);
        Assert.Equal(CsvRegression.Fit(plain, "y").Coefficients, CsvRegression.Fit(quoted, "y").Coefficients);
    }

    [Theory]
    [InlineData(1e300, "the values of 'a' are too large for double precision")]
    [InlineData(1e-300, "the values of 'a' are too small for double precision")]
    public void Values_beyond_double_precision_squared_are_an_error_naming_the_column(double scale, string message)
    {
        var rng = new Random(4);
        var text = "a,b,y\n" + string.Concat(Enumerable.Range(0, 30).Select(_ =>
        {
            double a = (1 + rng.NextDouble()) * scale, b = rng.NextDouble();
            return FormattableString.Invariant($"{a:R},{b:R},{b + 1:R}\n");
        }));
        var path = Write("range.csv", text);
        foreach (var solver in new[] { Solver.Auto, Solver.Qr, Solver.Svd, Solver.Gd })
        {
            var e = Assert.Throws<ArgumentException>(() => CsvRegression.Fit(path, "y", options: new RegressionOptions { Solver = solver }));
            Assert.StartsWith(message, e.Message);
        }
        var (rc, _, err) = Run("regress", path, "--target", "y");
        Assert.Equal(1, rc);
        Assert.Contains(message, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void A_perfect_fit_reports_a_residual_standard_error_of_zero()
    {
        var path = Write("perfect.csv", "a,y\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},{2 * i + 1}\n")));
        var (rc, stdout, _) = Run("regress", path, "--target", "y");
        Assert.Equal(0, rc);
        Assert.Contains("residual standard error = 0 on 8 degrees of freedom", stdout);
        Assert.Contains("(p = <1e-300,", stdout);
    }

    [Fact]
    public void Wide_data_takes_the_short_side_and_gives_the_minimum_norm_solution()
    {
        // 40 rows, 120 columns: the SVD is taken of the 40 rows (not a 121×121 Jacobi), the fit interpolates, and w
        // is the minimum-norm solution: orthogonal to the null space, i.e. in the row space of the design.
        var rng = new Random(9);
        int n = 40, d = 120;
        var x = new double[n, d];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i, j] = rng.NextDouble() * 2 - 1;
            y[i] = x[i, 0] + 2 * x[i, 1] + rng.NextDouble() * 0.1;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var fit = LinearRegression.Fit(x, y, new RegressionOptions { Solver = Solver.Svd });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(n, fit.Rank);
        var w = fit.Coefficients.Prepend(fit.Intercept).ToArray();
        for (int i = 0; i < n; i++)
        {
            double pred = w[0];
            for (int j = 0; j < d; j++) pred += w[j + 1] * x[i, j];
            Assert.Equal(y[i], pred, 9);
        }
        // Minimum norm: w = D' a for some a; then D w = D D' a = y, so a = (D D')^-1 y and |w|² = y' a.
        var dd = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
            {
                double s = 1;
                for (int j = 0; j < d; j++) s += x[i, j] * x[k, j];
                dd[i * n + k] = s;
            }
        var a = Nabla.LinearAlgebra.DenseOps.Inverse(new Nabla.LinearAlgebra.Tensor(Nabla.LinearAlgebra.ShapeKind.Matrix, n, n, dd), "DD'");
        double normSq = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++) normSq += y[i] * a[i, k] * y[k];
        Assert.Equal(normSq, w.Sum(v => v * v), 8);
        Assert.Contains(fit.Warnings, m => m.Contains("the relations are not listed"));
    }
}
