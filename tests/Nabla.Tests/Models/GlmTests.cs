using System.Text.Json.Nodes;
using Nabla.Models;

namespace Nabla.Tests.Models;

/// <summary>
/// GLMs against statsmodels 0.13.5 (Logit, GLM Poisson and Gaussian; fixtures/statsmodels_glm.json, made by
/// fixtures/make_glm_fixtures.py) and R's glm on the same data (fixtures/r_glm.json): coefficients to 1e-8 relative,
/// the rest of the summary to 1e-6; every refusal and warning word for word.
/// </summary>
public class GlmTests
{
    private static readonly JsonArray Cases = (JsonArray)JsonNode.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Models", "fixtures", "statsmodels_glm.json")))!["cases"]!;

    public static TheoryData<string> Names() => [.. Cases.Select(c => (string)c!["name"]!)];

    private static (double[] X, int N, int D, double[] Y) Data(JsonObject c)
    {
        var rows = c["X"]!.AsArray();
        int n = rows.Count, d = rows[0]!.AsArray().Count;
        var x = rows.SelectMany(r => r!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        return (x, n, d, c["y"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray());
    }

    private static double[] Doubles(JsonNode? n) => n!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private static void Close(double want, double got, double rel, string what) =>
        Assert.True(Math.Abs(want - got) <= rel * Math.Max(1e-300, Math.Abs(want)) || Math.Abs(want - got) <= 1e-300,
            $"{what}: {got:R}, the reference {want:R} (relative {Math.Abs(want - got) / Math.Abs(want):E2})");

    [Theory]
    [MemberData(nameof(Names))]
    public void The_fit_and_its_summary_are_statsmodels(string name)
    {
        var c = Cases.Single(x => (string)x!["name"]! == name)!.AsObject();
        var (x, n, d, y) = Data(c);
        var family = (string)c["family"]! switch { "binomial" => Family.Binomial, "poisson" => Family.Poisson, _ => Family.Gaussian };
        var r = Glm.Fit(x, n, d, y, new GlmOptions { Family = family, Intercept = (bool)c["intercept"]! });
        Assert.True(r.Converged, string.Join("; ", r.Warnings));
        Assert.Empty(r.Warnings);
        var coef = Doubles(c["coefficients"]!);
        var se = Doubles(c["std_errors"]!);
        var z = Doubles(c["z"]!);
        var pv = Doubles(c["p_values"]!);
        var ci = c["conf_int"]!.AsArray().Select(Doubles).ToArray();
        Assert.Equal(coef.Length, r.Coefficients.Count);
        for (int j = 0; j < coef.Length; j++)
        {
            var row = r.Coefficients[j];
            Close(coef[j], row.Estimate, 1e-8, $"{name} coefficient {j}");
            Close(se[j], row.StdError, 1e-6, $"{name} std error {j}");
            Close(z[j], row.T, 1e-6, $"{name} z {j}");
            Close(pv[j], row.P, 1e-6, $"{name} p {j}");
            Close(ci[j][0], row.Lower, 1e-6, $"{name} lower {j}");
            Close(ci[j][1], row.Upper, 1e-6, $"{name} upper {j}");
        }
        Close((double)c["log_likelihood"]!, r.LogLikelihood, 1e-6, $"{name} log-likelihood");
        Close((double)c["null_log_likelihood"]!, r.NullLogLikelihood, 1e-6, $"{name} null log-likelihood");
        Close((double)c["deviance"]!, r.Deviance, 1e-6, $"{name} deviance");
        Close((double)c["null_deviance"]!, r.NullDeviance, 1e-6, $"{name} null deviance");
        Close((double)c["aic"]!, r.Aic, 1e-6, $"{name} AIC");
        Close((double)c["bic"]!, r.Bic, 1e-6, $"{name} BIC");
        Close((double)c["pseudo_r2"]!, r.PseudoR2, 1e-6, $"{name} pseudo R²");
        Close((double)c["scale"]!, r.Scale, 1e-6, $"{name} scale");
    }

    private static readonly JsonArray RCases = (JsonArray)JsonNode.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Models", "fixtures", "r_glm.json")))!["cases"]!;

    /// <summary>
    /// R 4.2.2's glm on the same data (fixtures/r_glm.json, made by make_r_fixtures.sh with Debian's r-base-core). R's
    /// Gaussian AIC counts the scale as a parameter (2 more than statsmodels'), its Gaussian p-values are Student's t
    /// (statsmodels' and Nabla's GLM use the normal), and without an intercept its null model has no parameter: those
    /// are compared as R defines them, or not at all.
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void The_fit_is_rs_glm(string name)
    {
        var c = Cases.Single(x => (string)x!["name"]! == name)!.AsObject();
        var rc = RCases.Single(x => (string)x!["name"]! == name)!.AsObject();
        var (x, n, d, y) = Data(c);
        var family = (string)c["family"]! switch { "binomial" => Family.Binomial, "poisson" => Family.Poisson, _ => Family.Gaussian };
        var r = Glm.Fit(x, n, d, y, new GlmOptions { Family = family, Intercept = (bool)c["intercept"]! });
        var coef = Doubles(rc["coefficients"]!);
        var se = Doubles(rc["std_errors"]!);
        var z = Doubles(rc["z"]!);
        var pv = Doubles(rc["p_values"]!);
        for (int j = 0; j < coef.Length; j++)
        {
            Close(coef[j], r.Coefficients[j].Estimate, 1e-8, $"{name} coefficient {j} (R)");
            Close(se[j], r.Coefficients[j].StdError, 1e-6, $"{name} std error {j} (R)");
            Close(z[j], r.Coefficients[j].T, 1e-6, $"{name} z {j} (R)");
            if (family != Family.Gaussian) Close(pv[j], r.Coefficients[j].P, 1e-6, $"{name} p {j} (R)");
        }
        Close((double)rc["deviance"]!, r.Deviance, 1e-6, $"{name} deviance (R)");
        // Without an intercept R's null model has no parameter at all (μ = 1 for Poisson); statsmodels' and Nabla's is the constant.
        if ((bool)c["intercept"]!) Close((double)rc["null_deviance"]!, r.NullDeviance, 1e-6, $"{name} null deviance (R)");
        Close((double)rc["log_likelihood"]!, r.LogLikelihood, 1e-6, $"{name} log-likelihood (R)");
        Close((double)rc["aic"]!, r.Aic + (family == Family.Gaussian ? 2 : 0), 1e-6, $"{name} AIC (R)");
    }

    private static readonly JsonArray Edges = (JsonArray)JsonNode.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Models", "fixtures", "statsmodels_glm_edges.json")))!["cases"]!;

    private static (double[] X, int N, int D, double[] Y, string[] Names, JsonObject Statsmodels) Edge(string name)
    {
        var c = Edges.Single(x => (string)x!["name"]! == name)!.AsObject();
        var (x, n, d, y) = Data(c);
        return (x, n, d, y, [.. c["features"]!.AsArray().Select(f => (string)f!)], c["statsmodels"]!.AsObject());
    }

    /// <summary>
    /// Data where logistic regression has no (unique) estimate (fixtures/statsmodels_glm_edges.json, made by
    /// make_glm_edge_fixtures.py): where statsmodels refuses, Nabla refuses and says which feature; where statsmodels
    /// reports convergence to a meaningless or arbitrary estimate, Nabla warns or refuses and says why.
    /// </summary>
    [Fact]
    public void Where_statsmodels_finds_perfect_separation_nabla_names_the_feature()
    {
        var (x, n, d, y, names, sm) = Edge("separated");
        Assert.Equal("PerfectSeparationError", (string)sm["raised"]!);
        var e = Assert.Throws<ArgumentException>(() => Glm.Fit(x, n, d, y, new GlmOptions { FeatureNames = names }));
        Assert.StartsWith("perfect separation: x2 alone separates the classes (y = 1 exactly where x2 > ", e.Message);
    }

    [Fact]
    public void Where_statsmodels_converges_on_quasi_separated_data_nabla_warns()
    {
        var (x, n, d, y, names, sm) = Edge("quasi-separated");
        Assert.True((bool)sm["converged"]! && (double)sm["largest_coefficient"]! > 100); // "converged", to a coefficient of ~476
        var r = Glm.Fit(x, n, d, y, new GlmOptions { FeatureNames = names });
        Assert.Contains("quasi-complete separation: x1 separates the classes except where it equals 0; its coefficient and standard error are not reliable", r.Warnings);
    }

    [Fact]
    public void Where_statsmodels_picks_one_of_many_answers_for_collinear_columns_nabla_names_the_dependency()
    {
        var (x, n, d, y, names, sm) = Edge("collinear");
        Assert.True((bool)sm["converged"]! && ((JsonArray)sm["warnings"]!).Count == 0); // silently one of infinitely many
        var e = Assert.Throws<ArgumentException>(() => Glm.Fit(x, n, d, y, new GlmOptions { FeatureNames = names }));
        Assert.StartsWith("the columns are linearly dependent: x3 = 2*x1 - x2", e.Message);
    }

    [Theory]
    [InlineData(new[] { 0.0, 1, 2, 1, 0, 1 }, Family.Binomial, "the binomial family needs a target of 0s and 1s; y is 2 in row 3")]
    [InlineData(new[] { 0.0, 1, 2.5, 1, 0, 1 }, Family.Poisson, "the Poisson family needs a target of counts (whole numbers ≥ 0); y is 2.5 in row 3")]
    [InlineData(new[] { 0.0, 1, -1, 1, 0, 1 }, Family.Poisson, "the Poisson family needs a target of counts (whole numbers ≥ 0); y is -1 in row 3")]
    [InlineData(new[] { 1.0, 1, 1, 1, 1, 1 }, Family.Binomial, "y is 1 in every row: there is nothing to tell apart")]
    public void A_target_outside_the_family_is_refused(double[] y, Family family, string message)
    {
        var x = new double[] { 0.1, -0.4, 0.3, 0.9, -0.2, 0.5 };
        var e = Assert.Throws<ArgumentException>(() => Glm.Fit(x, 6, 1, y, new GlmOptions { Family = family }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Too_few_rows_all_zero_counts_and_wrong_lengths_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Glm.Fit([0.1, 0.2, 0.3, 0.4], 2, 2, [0, 1]));
        Assert.Equal("2 rows cannot fit 3 coefficients: a GLM needs more rows than coefficients", e.Message);
        e = Assert.Throws<ArgumentException>(() => Glm.Fit([0.1, 0.2, 0.3, 0.4], 4, 1, [0, 0, 0, 0], new GlmOptions { Family = Family.Poisson }));
        Assert.Equal("y is 0 in every row: the Poisson rate's maximum-likelihood estimate is 0, where the log link is -∞", e.Message);
        e = Assert.Throws<ArgumentException>(() => Glm.Fit([0.1, 0.2, 0.3], 4, 1, [0, 1, 0, 1]));
        Assert.Equal("3 feature values and 4 targets for 4 rows of 1 features", e.Message);
        e = Assert.Throws<ArgumentException>(() => Glm.Fit([], 0, 1, []));
        Assert.Equal("there are no rows to fit", e.Message);
        var r = Glm.Fit([0.1, -0.4, 0.3, 0.9, -0.2, 0.5, 0.0, -0.7], 8, 1, [0, 1, 1, 0, 0, 1, 1, 0]);
        e = Assert.Throws<ArgumentException>(() => r.Predict([1.0, 2.0]));
        Assert.Equal("2 feature values for 1 features", e.Message);
    }

    [Fact]
    public void Perfect_separation_names_the_feature()
    {
        double[] x = [0.5, 3.0, -1.0, 2.0, 0.2, 1.0, 0.1, 2.5, -0.5, 1.1, 0.7, -2.0, 0.3, 1.5, 0.9, 0.6];
        double[] y = new double[8];
        var xs = new double[16];
        for (int i = 0; i < 8; i++) { xs[2 * i] = x[2 * i]; xs[2 * i + 1] = x[2 * i + 1]; y[i] = x[2 * i + 1] > 1.05 ? 1 : 0; }
        var e = Assert.Throws<ArgumentException>(() => Glm.Fit(xs, 8, 2, y, new GlmOptions { FeatureNames = ["age", "score"] }));
        Assert.Equal("perfect separation: score alone separates the classes (y = 1 exactly where score > 1.05), so the likelihood has no maximum (the coefficient runs to +∞); drop score, or fit a penalised loss with nabla fit", e.Message);
    }

    [Fact]
    public void Quasi_complete_separation_is_a_warning()
    {
        // x ≤ 0 always 0, x ≥ 0 always 1 except at x = 0, where both occur.
        double[] x = [-2, -1.5, -1, -0.5, 0, 0, 0.5, 1, 1.5, 2, -0.3, 0.4];
        double[] y = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1];
        var r = Glm.Fit(x, 12, 1, y, new GlmOptions { FeatureNames = ["dose"] });
        Assert.Contains("quasi-complete separation: dose separates the classes except where it equals 0; its coefficient and standard error are not reliable", r.Warnings);
    }

    [Fact]
    public void Dependent_columns_are_named()
    {
        var rng = new Random(4);
        int n = 30;
        var x = new double[n * 3];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i * 3] = rng.NextDouble();
            x[i * 3 + 1] = rng.NextDouble();
            x[i * 3 + 2] = 2 * x[i * 3] - x[i * 3 + 1];
            y[i] = rng.Next(3);
        }
        var e = Assert.Throws<ArgumentException>(() => Glm.Fit(x, n, 3, y, new GlmOptions { Family = Family.Poisson, FeatureNames = ["a", "b", "c"] }));
        Assert.StartsWith("the columns are linearly dependent: c = ", e.Message);
        Assert.EndsWith("; drop one (--features)", e.Message);
    }

    [Theory]
    // scipy.stats.norm.sf, doubled
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 0.31731050786291415)]
    [InlineData(1.959963984540054, 0.05)]
    [InlineData(3.5, 0.00046525815807105003)]
    [InlineData(8.0, 1.244192114854348e-15)]
    [InlineData(-12.0, 3.552964224155306e-33)]
    public void Normal_tails_are_accurate(double z, double p) =>
        Assert.True(Math.Abs(Glm.NormalTwoSided(z) - p) <= 1e-10 * p, $"{Glm.NormalTwoSided(z):R} vs {p:R}");
}
