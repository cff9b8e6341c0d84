using System.Globalization;
using System.Text.Json.Nodes;

namespace Nabla.Tests.Cli;

/// <summary>`nabla fit`: an objective fitted to a CSV, against SciPy's minimiser and `nabla regress`; every refusal word for word.</summary>
public sealed class FitCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("nabla-fit");
    private readonly string _csv;
    private readonly JsonObject _logistic;

    public FitCommandTests()
    {
        var cases = (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Optimization", "fixtures", "scipy_minimize.json")))!["cases"]!;
        _logistic = cases.Single(c => (string)c!["name"]! == "logistic")!.AsObject();
        var x = _logistic["values"]!["X"]!.AsArray();
        var y = _logistic["values"]!["y"]!.AsArray();
        _csv = Path.Combine(_dir.FullName, "churn.csv");
        var lines = new List<string> { "x1,x2,x3,x4,churned" };
        for (int i = 0; i < x.Count; i++)
            lines.Add(string.Join(",", x[i]!.AsArray().Select(v => v!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture)))
                + "," + y[i]!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture));
        File.WriteAllLines(_csv, lines);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void The_logistic_loss_fitted_from_a_csv_is_scipys_minimiser()
    {
        var (rc, o, e) = CliRunner.Run("fit", "sum(softplus(-y.*(X*w)))", "--data", _csv, "--target", "churned", "--wrt", "w", "--json");
        Assert.True(rc == 0, e);
        var j = JsonNode.Parse(o)!;
        Assert.True((bool)j["converged"]!);
        Assert.Equal("converged", (string)j["reason"]!);
        var want = _logistic["minimizer"]!["w"]!.AsArray();
        var got = j["parameters"]!["w"]!.AsObject();
        Assert.Equal(["x1", "x2", "x3", "x4"], got.Select(kv => kv.Key));
        for (int i = 0; i < 4; i++)
            Assert.True(Math.Abs(want[i]!.GetValue<double>() - got[$"x{i + 1}"]!.GetValue<double>()) <= 1e-6, $"x{i + 1}");
        Assert.Equal(_logistic["value"]!.GetValue<double>(), j["value"]!.GetValue<double>(), 8);
    }

    [Fact]
    public void Least_squares_by_newton_is_what_regress_gives()
    {
        var (rc, o, e) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--data", _csv, "--target", "churned", "--wrt", "w", "--intercept", "--method", "newton", "--json");
        Assert.True(rc == 0, e);
        var fit = JsonNode.Parse(o)!["parameters"]!["w"]!.AsObject();
        var (rc2, o2, _) = CliRunner.Run("regress", _csv, "--target", "churned", "--json");
        Assert.Equal(0, rc2);
        var coef = JsonNode.Parse(o2)!["coefficients"]!.AsObject();
        Assert.Equal(fit.Count, coef.Count);
        foreach (var (name, value) in coef)
        {
            string mine = name == "(intercept)" ? "intercept" : name;
            Assert.Equal(value!.GetValue<double>(), fit[mine]!.GetValue<double>(), 9);
        }
    }

    [Fact]
    public void The_table_names_each_coefficient_and_a_penalty_is_set_by_name()
    {
        var (rc, o, e) = CliRunner.Run("fit", "sum(softplus(-y.*(X*w))) + lambda*w'*w", "--data", _csv, "--target", "churned", "--wrt", "w",
            "--intercept", "--set", "lambda=0.5");
        Assert.True(rc == 0, e);
        Assert.StartsWith("fit: sum(softplus(-y.*(X*w))) + lambda*w'*w\n  60 rows; lbfgs, ", o.Replace("\r", ""));
        Assert.Contains("  converged: the gradient's largest entry is ", o);
        Assert.Matches(@"\n  intercept  -?\d", o.Replace("\r", ""));
        Assert.Matches(@"\n  x4         -?\d", o.Replace("\r", ""));
    }

    [Fact]
    public void A_run_that_did_not_converge_says_so_and_fails()
    {
        var (rc, o, e) = CliRunner.Run("fit", "sum(softplus(-y.*(X*w)))", "--data", _csv, "--target", "churned", "--wrt", "w", "--max-iterations", "2");
        Assert.Equal(1, rc);
        Assert.Contains("not converged: stopped at the iteration limit (2)", o);
        Assert.StartsWith("warning: not converged: stopped at the iteration limit (2) with the gradient's largest entry ", e);
        Assert.EndsWith("; the values above are where it stopped, not a minimiser\n", e.Replace("\r", ""));
        (rc, o, _) = CliRunner.Run("fit", "sum(X*w)", "--data", _csv, "--target", "churned", "--wrt", "w", "--json");
        Assert.Equal(1, rc);
        Assert.Equal("diverged", (string)JsonNode.Parse(o)!["reason"]!);
    }

    [Theory]
    [InlineData(2, "nabla fit: --wrt is required: the variable to fit, e.g. --wrt w\n", "norm2(X*w-y)^2")]
    [InlineData(2, "nabla fit: --set 'lambda' must be name=number, e.g. --set lambda=0.1\n", "norm2(X*w-y)^2", "--wrt", "w", "--set", "lambda")]
    [InlineData(1, "error[bad_request]: X is the data (the feature columns); fit a variable of your own, e.g. w\n", "norm2(X*w-y)^2", "--wrt", "X")]
    [InlineData(1, "error[bad_request]: lambda has no value: fit it (--wrt lambda), or give it one (--set lambda=… for a scalar, --at values.json)\n",
        "norm2(X*w-y)^2 + lambda*w'*w", "--wrt", "w")]
    [InlineData(1, "error[bad_request]: q is not a variable of norm2(X*w-y)^2\n", "norm2(X*w-y)^2", "--wrt", "q")]
    [InlineData(1, "error[bad_request]: the data do not fix the size of u (vector n); give it a starting value with --at values.json\n",
        "norm2(X*w-y)^2 + u'*u", "--wrt", "w", "--wrt", "u")]
    [InlineData(2, "nabla fit: --set 'lambda=inf' must be name=number, e.g. --set lambda=0.1\n", "norm2(X*w-y)^2", "--wrt", "w", "--set", "lambda=inf")]
    [InlineData(2, "nabla fit: --set takes finite numbers\n", "norm2(X*w-y)^2", "--wrt", "w", "--set", "lambda=Infinity")]
    [InlineData(2, "nabla fit: --lower 'w' must be name=number, e.g. --lower w=0\n", "norm2(X*w-y)^2", "--wrt", "w", "--lower", "w")]
    [InlineData(2, "nabla fit: --max-iterations must be at least 0\n", "norm2(X*w-y)^2", "--wrt", "w", "--max-iterations", "-1")]
    [InlineData(2, "nabla fit: --tolerance must be at least 0\n", "norm2(X*w-y)^2", "--wrt", "w", "--tolerance", "-1")]
    [InlineData(2, "nabla fit: --decimal takes '.' or ',', not ';'\n", "norm2(X*w-y)^2", "--wrt", "w", "--decimal", ";")]
    [InlineData(1, "error[domain_error]: the objective cannot be evaluated at the start: sum(log(X*w)) is not finite at the given values (an overflow, a division by zero or a value outside a function's domain); start elsewhere with --at values.json\n",
        "sum(log(X*w))", "--wrt", "w")]
    public void Mistakes_are_said(int code, string message, string objective, params string[] rest)
    {
        var (rc, _, e) = CliRunner.Run(["fit", objective, "--data", _csv, "--target", "churned", .. rest]);
        Assert.Equal(code, rc);
        Assert.Equal(message, e.Replace("\r", ""));
    }

    [Fact]
    public void Bounds_hold_the_coefficients_in_them()
    {
        var (rc, o, e) = CliRunner.Run("fit", "sum(softplus(-y.*(X*w)))", "--data", _csv, "--target", "churned", "--wrt", "w", "--lower", "w=0", "--json");
        Assert.True(rc == 0, e);
        var w = JsonNode.Parse(o)!["parameters"]!["w"]!.AsObject();
        Assert.Equal(0.0, w["x2"]!.GetValue<double>()); // negative without the bound
        Assert.All(w, kv => Assert.True(kv.Value!.GetValue<double>() >= 0));
        (rc, _, e) = CliRunner.Run("fit", "sum(softplus(-y.*(X*w)))", "--data", _csv, "--target", "churned", "--wrt", "w", "--lower", "w=0", "--method", "newton");
        Assert.Equal(1, rc);
        Assert.Equal("error[unsupported]: Newton's method does not take bounds here: use Method.Lbfgs (projected) or GradientDescent\n", e.Replace("\r", ""));
    }

    [Fact]
    public void The_data_and_the_target_are_required_and_the_rows_must_be_there()
    {
        var (rc, _, e) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--target", "churned", "--wrt", "w");
        Assert.Equal(2, rc);
        Assert.Equal("nabla fit: --data is required: the CSV file\n", e.Replace("\r", ""));
        (rc, _, e) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--data", _csv, "--wrt", "w");
        Assert.Equal(2, rc);
        Assert.Equal("nabla fit: --target is required: the column that becomes y (or give --formula \"y ~ x1 + x2\")\n", e.Replace("\r", ""));
        string empty = Path.Combine(_dir.FullName, "empty.csv");
        File.WriteAllText(empty, "x1,x2,churned\n");
        (rc, _, e) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--data", empty, "--target", "churned", "--wrt", "w");
        Assert.Equal(1, rc);
        Assert.Equal($"error: the file '{empty}' has a header but no data rows\n", e.Replace("\r", ""));
    }

    [Fact]
    public void A_missing_target_column_names_the_columns_there_are()
    {
        var (rc, _, e) = CliRunner.Run("fit", "norm2(X*w-y)^2", "--data", _csv, "--target", "churn", "--wrt", "w");
        Assert.Equal(1, rc);
        Assert.Equal($"error: the target column 'churn' is not in the header of '{_csv}'; its columns are: x1, x2, x3, x4, churned\n", e.Replace("\r", ""));
    }
}
