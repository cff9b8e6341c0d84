using System.Text.Json;
using Nabla.Data;
using Nabla.Models;

namespace Nabla.Tests.Fitting;

/// <summary>
/// The committed fixtures (fixtures/make_fixtures.py: NumPy, statsmodels, scikit-learn) against Nabla:
/// coefficients to 1e-9 relative, summary statistics to 1e-6, the dependent-column relations by name.
/// </summary>
public class FixtureTests
{
    public static string Dir => Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Fitting", "fixtures");

    public static TheoryData<string> Cases => ["wellposed", "no_intercept", "collinear", "dup_intercept", "n_lt_d", "constant", "near_collinear", "ridge"];

    public static TheoryData<string, string> CasesBySolver()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in new[] { "wellposed", "no_intercept", "collinear", "dup_intercept", "n_lt_d", "constant", "near_collinear" })
            foreach (var s in new[] { "auto", "normal", "qr", "svd", "gd" }) data.Add(c, s);
        return data;
    }

    internal static JsonElement Expected(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, name + ".json"))).RootElement;

    internal static RegressionResult FitCase(string name, Solver solver = Solver.Auto)
    {
        var e = Expected(name);
        var features = e.GetProperty("features").EnumerateArray().Select(x => x.GetString()!).ToList();
        var options = new RegressionOptions
        {
            Intercept = e.GetProperty("intercept").GetBoolean(),
            Ridge = e.TryGetProperty("ridge", out var r) ? r.GetDouble() : 0,
            Solver = solver,
        };
        return CsvRegression.Fit(Path.Combine(Dir, name + ".csv"), "y", features, options);
    }

    private static double[] Array(JsonElement e, string prop) =>
        e.GetProperty(prop).EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number ? x.GetDouble() : double.NaN).ToArray();

    internal static void Close(double expected, double actual, double rel, string what)
    {
        double err = Math.Abs(expected - actual);
        Assert.True(err <= rel * Math.Abs(expected) || err <= 1e-300,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {err / Math.Abs(expected):E2})");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Coefficients_match_the_reference_to_1e9(string name)
    {
        var e = Expected(name);
        var fit = FitCase(name);
        var expected = Array(e, "coefficients");
        var actual = fit.Table.Select(t => t.Estimate).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        for (int j = 0; j < expected.Length; j++)
        {
            // relative to the entry, with the largest entry as the floor (a near-zero coefficient of a min-norm solution)
            double err = Math.Abs(expected[j] - actual[j]);
            Assert.True(err <= 1e-9 * Math.Max(Math.Abs(expected[j]), 1e-3 * scale),
                $"{name} {fit.Table[j].Name}: expected {expected[j]:R}, got {actual[j]:R} ({fit.Solver})");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Summary_statistics_match_to_1e6(string name)
    {
        var e = Expected(name);
        var fit = FitCase(name);
        Assert.Equal(e.GetProperty("n").GetInt32(), fit.N);
        Close(e.GetProperty("r2").GetDouble(), fit.RSquared, 1e-6, "R²");
        if (name == "ridge") return;
        Assert.Equal(e.GetProperty("rank").GetInt32(), fit.Rank);
        if (!e.TryGetProperty("std_errors", out _)) { Assert.Contains(fit.Warnings, w => w.Contains("no residual degrees of freedom")); return; }
        foreach (var (prop, get) in new (string, Func<CoefficientRow, double>)[]
            { ("std_errors", r => r.StdError), ("t", r => r.T), ("p", r => r.P), ("ci_low", r => r.Lower), ("ci_high", r => r.Upper) })
        {
            var expected = Array(e, prop);
            for (int j = 0; j < expected.Length; j++) Close(expected[j], get(fit.Table[j]), 1e-6, $"{name} {prop}[{fit.Table[j].Name}]");
        }
        Close(e.GetProperty("adj_r2").GetDouble(), fit.AdjustedRSquared, 1e-6, "adjusted R²");
        Close(e.GetProperty("f").GetDouble(), fit.FStatistic, 1e-6, "F");
        Close(e.GetProperty("f_p").GetDouble(), fit.FPValue, 1e-6, "p(F)");
        Close(e.GetProperty("resid_se").GetDouble(), fit.ResidualStdError, 1e-6, "residual standard error");
        if (e.GetProperty("condition_number").ValueKind == JsonValueKind.Number)
            Close(e.GetProperty("condition_number").GetDouble(), fit.ConditionNumber, 1e-6, "condition number");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dependent_columns_are_named_as_relations(string name)
    {
        var e = Expected(name);
        var fit = FitCase(name);
        var expected = e.GetProperty("relations").EnumerateArray().Select(x => x.GetString()!).ToList();
        if (name == "n_lt_d")
        {
            // 9 columns, 5 rows: rank 5, so x5..x8 are each a combination of the intercept and x1..x4
            Assert.Equal(["x5", "x6", "x7", "x8"], fit.Dependencies.Select(d => d.Column).ToArray());
            Assert.Contains(fit.Warnings, w => w.Contains("rank 5 < 9 columns"));
            return;
        }
        Assert.Equal(expected, fit.Dependencies.Select(d => d.Text).ToList());
        foreach (var rel in expected) Assert.Contains(fit.Warnings, w => w.Contains(rel));
        if (expected.Count > 0) Assert.Contains(fit.Warnings, w => w.Contains("minimum-norm solution"));
    }

    [Theory]
    [MemberData(nameof(CasesBySolver))]
    public void Every_solver_reaches_the_same_w(string name, string solver)
    {
        var e = Expected(name);
        var fit = FitCase(name, RegressionOptions.ParseSolver(solver));
        var expected = Array(e, "coefficients");
        double scale = expected.Max(Math.Abs);
        // the normal equations square the condition number: on the near-collinear case they keep ~8 digits, and say so
        double tol = name == "near_collinear" && solver is "normal" or "gd" ? 1e-4 : 1e-9;
        for (int j = 0; j < expected.Length; j++)
        {
            double err = Math.Abs(expected[j] - fit.Table[j].Estimate);
            Assert.True(err <= tol * Math.Max(Math.Abs(expected[j]), 1e-3 * scale),
                $"{name}/{solver} {fit.Table[j].Name}: expected {expected[j]:R}, got {fit.Table[j].Estimate:R}");
        }
        if (name == "near_collinear" && solver == "normal") Assert.Contains(fit.Warnings, w => w.Contains("ill-conditioned"));
    }

    [Fact]
    public void Auto_leaves_the_normal_equations_when_ill_conditioned()
    {
        Assert.Equal("normal", FitCase("wellposed").Solver);
        Assert.Equal("svd", FitCase("near_collinear").Solver);
        Assert.Equal("svd", FitCase("collinear").Solver);
        Assert.Contains(FitCase("near_collinear").Warnings, w => w.Contains("condition"));
    }
}
