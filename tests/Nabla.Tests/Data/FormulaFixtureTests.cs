using System.Text.Json.Nodes;
using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;

namespace Nabla.Tests.Data;

/// <summary>
/// Formula fits against statsmodels 0.13.5's formula API (patsy 0.5.3) and R 4.2's lm/glm on CSVs with text,
/// boolean and integer-coded categories, interactions, transforms, missing cells (empty, NA, NaN, null) and
/// weights (fixtures/make_formula_fixtures.py and .R): the same column names in the same order, the same rows
/// dropped, coefficients to 1e-9, standard errors — classical, HC0–HC3, clustered — to 1e-6.
/// </summary>
public class FormulaFixtureTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Data", "fixtures");
    private static readonly JsonArray Statsmodels = (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "formula_statsmodels.json")))!["cases"]!;
    private static readonly JsonArray R = (JsonArray)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "formula_r.json")))!["cases"]!;
    private static readonly Dictionary<string, Frame> Frames = new();

    public static TheoryData<string> StatsmodelsCases() => [.. Statsmodels.Select(c => (string)c!["name"]!)];
    public static TheoryData<string> RCases() => [.. R.Select(c => (string)c!["name"]!)];

    internal static Frame FrameOf(string file)
    {
        lock (Frames)
        {
            if (!Frames.TryGetValue(file, out var f)) Frames[file] = f = FrameReader.Read(Path.Combine(Dir, file));
            return f;
        }
    }

    private static double[] Doubles(JsonNode? n) => n!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
    private static string[] Strings(JsonNode? n) => n!.AsArray().Select(v => (string)v!).ToArray();

    private static void Close(double[] want, double[] got, double rel, string what)
    {
        Assert.Equal(want.Length, got.Length);
        double scale = want.Max(Math.Abs);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= rel * Math.Max(Math.Abs(want[i]), 1e-3 * scale),
                $"{what}[{i}]: {got[i]:R}, the reference {want[i]:R}");
    }

    private static (string[] Names, double[] Coef, double[] Se, int N, int Dropped, Design Design) Fit(JsonObject c, string formula, CovarianceOptions cov)
    {
        var frame = FrameOf((string)c["data"]!);
        var f = Formula.Parse(formula);
        var d = new DesignOptions { Weights = (string?)c["weights"] };
        if ((string)c["model"]! is "ols" or "wls")
        {
            var (r, design) = FormulaModels.Regress(frame, f, new RegressionOptions(), d, cov);
            return (r.Table.Select(t => t.Name).ToArray(), r.Table.Select(t => t.Estimate).ToArray(), r.Table.Select(t => t.StdError).ToArray(), (int)r.N, r.Dropped, design);
        }
        var family = (string)c["model"]! == "binomial" ? Family.Binomial : Family.Poisson;
        var (g, gd) = FormulaModels.FitGlm(frame, f, new GlmOptions { Family = family }, d, cov);
        Assert.True(g.Converged);
        return (g.Coefficients.Select(t => t.Name).ToArray(), g.Coefficients.Select(t => t.Estimate).ToArray(), g.Coefficients.Select(t => t.StdError).ToArray(), g.N, g.Dropped, gd);
    }

    [Theory]
    [MemberData(nameof(StatsmodelsCases))]
    public void Names_rows_coefficients_and_standard_errors_are_statsmodels(string name)
    {
        var c = Statsmodels.Single(x => (string)x!["name"]! == name)!.AsObject();
        string formula = (string)c["formula"]!;
        bool glm = (string)c["model"]! is "binomial" or "poisson";
        var (names, coef, se, n, dropped, _) = Fit(c, formula, CovarianceOptions.Classical);
        Assert.Equal(Strings(c["names"]), names);
        Assert.Equal((int)c["n"]!, n);
        Assert.Equal((int)c["dropped"]!, dropped);
        Close(Doubles(c["coefficients"]), coef, 1e-9, "coefficients");
        var ses = c["std_errors"]!.AsObject();
        Close(Doubles(ses["nonrobust"]), se, 1e-6, "nonrobust");
        // statsmodels' GLM answers HC1-HC3 with HC0 (it has no others); Nabla's HC1 scales by n/(n-k) and HC2/HC3 are refused
        foreach (var type in glm ? ["HC0"] : new[] { "HC0", "HC1", "HC2", "HC3" })
            Close(Doubles(ses[type]), Fit(c, formula, CovarianceOptions.Parse(type)).Se, 1e-6, type);
        var cl = c["cluster"]!.AsObject();
        var (_, _, cse, _, _, design) = Fit(c, formula, CovarianceOptions.Parse("cluster:" + (string)cl["groups"]!));
        Close(Doubles(cl["std_errors"]), cse, 1e-6, "cluster");
        Assert.Equal((int)cl["n_groups"]!, design.Clusters!.Value.Count);
    }

    [Theory]
    [MemberData(nameof(StatsmodelsCases))]
    public void The_summary_statistics_are_statsmodels(string name)
    {
        var c = Statsmodels.Single(x => (string)x!["name"]! == name)!.AsObject();
        var frame = FrameOf((string)c["data"]!);
        var f = Formula.Parse((string)c["formula"]!);
        var d = new DesignOptions { Weights = (string?)c["weights"] };
        if ((string)c["model"]! is "ols" or "wls")
        {
            var (r, _) = FormulaModels.Regress(frame, f, new RegressionOptions(), d);
            Close([(double)c["rsquared"]!, (double)c["rsquared_adj"]!, (double)c["fvalue"]!, (double)c["df_resid"]!],
                [r.RSquared, r.AdjustedRSquared, r.FStatistic, r.DfResid], 1e-6, "R², adjusted R², F, df");
        }
        else
        {
            var family = (string)c["model"]! == "binomial" ? Family.Binomial : Family.Poisson;
            var (g, _) = FormulaModels.FitGlm(frame, f, new GlmOptions { Family = family }, d);
            Close([(double)c["llf"]!, (double)c["deviance"]!, (double)c["aic"]!, (double)c["null_deviance"]!],
                [g.LogLikelihood, g.Deviance, g.Aic, g.NullDeviance], 1e-6, "llf, deviance, aic, null deviance");
        }
    }

    /// <summary>The sums over one-hot groups (the zeros of the categorical columns skipped) are the dense sums: the same fit, on every case, weighted or not.</summary>
    [Theory]
    [MemberData(nameof(StatsmodelsCases))]
    public void Sparse_and_dense_sums_give_the_same_fit(string name)
    {
        var c = Statsmodels.Single(x => (string)x!["name"]! == name)!.AsObject();
        if ((string)c["model"]! is not ("ols" or "wls")) return;
        var frame = FrameOf((string)c["data"]!);
        var f = Formula.Parse((string)c["formula"]!);
        var (s, _) = FormulaModels.Regress(frame, f, new RegressionOptions { Solver = Solver.Normal }, new DesignOptions { Weights = (string?)c["weights"], SparseSums = true });
        var (d, _) = FormulaModels.Regress(frame, f, new RegressionOptions { Solver = Solver.Normal }, new DesignOptions { Weights = (string?)c["weights"], SparseSums = false });
        Close(d.Table.Select(t => t.Estimate).ToArray(), s.Table.Select(t => t.Estimate).ToArray(), 1e-10, "coefficients");
        Close(d.Table.Select(t => t.StdError).ToArray(), s.Table.Select(t => t.StdError).ToArray(), 1e-10, "standard errors");
        Assert.Equal(d.ResidualSumOfSquares, s.ResidualSumOfSquares, 1e-10 * d.ResidualSumOfSquares);
        Close(Doubles(c["coefficients"]), s.Table.Select(t => t.Estimate).ToArray(), 1e-9, "coefficients against statsmodels");
    }

    /// <summary>R's lm/glm on the same files: the statsmodels-syntax formula by name, and R's own formula (R names its columns differently) by value.</summary>
    [Theory]
    [MemberData(nameof(RCases))]
    public void Coefficients_and_standard_errors_are_Rs(string name)
    {
        var c = R.Single(x => (string)x!["name"]! == name)!.AsObject();
        var want = Doubles(c["coefficients"]);
        var wantSe = Doubles(c["std_errors"]);
        var (names, coef, se, n, _, _) = Fit(c, (string)c["formula_statsmodels"]!, CovarianceOptions.Classical);
        Assert.Equal((int)c["n"]!, n);
        var byName = names.Select((nm, i) => (nm, i)).ToDictionary(t => t.nm, t => t.i);
        var order = Strings(c["names"]).Select(nm => byName[nm]).ToArray();
        Close(want, order.Select(i => coef[i]).ToArray(), 1e-8, "coefficients (statsmodels syntax)");
        Close(wantSe, order.Select(i => se[i]).ToArray(), 1e-6, "standard errors (statsmodels syntax)");
        // R's syntax: ^ for powers of sums, I(x^2), log(x), factor(x), '.'; the same numbers, in Nabla's (patsy's) order.
        // (ols5's reference level is set in R by relevel() on the data, outside its formula.)
        if (name == "ols5") return;
        var (_, rcoef, _, rn, _, _) = Fit(c, (string)c["formula_r"]!, CovarianceOptions.Classical);
        Assert.Equal((int)c["n"]!, rn);
        Close([.. want.Order()], [.. rcoef.Order()], 1e-8, "coefficients (R syntax)");
    }
}

/// <summary>
/// GLM weights against statsmodels 0.13.5 (fixtures/make_glm_weight_fixtures.py): binomial and Poisson with
/// freq_weights and with var_weights — coefficients to 1e-9, standard errors (classical; HC0 and clustered with
/// frequency weights) to 1e-6, log-likelihood, deviance, AIC, residual degrees of freedom.
/// </summary>
public class GlmWeightFixtureTests
{
    private static readonly JsonArray Cases = (JsonArray)JsonNode.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Data", "fixtures", "glm_weights_statsmodels.json")))!["cases"]!;

    public static TheoryData<string> Names() => [.. Cases.Select(c => (string)c!["name"]!)];

    private static double[] D(JsonNode? n) => n!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private static void Close(double[] want, double[] got, double rel, string what)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= rel * Math.Abs(want[i]), $"{what}[{i}]: {got[i]:R}, the reference {want[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Weighted_glms_are_statsmodels(string name)
    {
        var c = Cases.Single(x => (string)x!["name"]! == name)!.AsObject();
        var frame = FormulaFixtureTests.FrameOf((string)c["data"]!);
        var family = (string)c["family"]! == "binomial" ? Family.Binomial : Family.Poisson;
        bool freq = (string)c["weights"]! == "freq";
        var o = new GlmOptions { Family = family, FrequencyWeights = freq };
        var d = new DesignOptions { Weights = "w" };
        var formula = Formula.Parse((string)c["formula"]!);
        var (g, _) = FormulaModels.FitGlm(frame, formula, o, d);
        Assert.Equal(c["names"]!.AsArray().Select(v => (string)v!), g.Coefficients.Select(t => t.Name));
        Assert.Equal((int)c["n"]!, g.N);
        Close(D(c["coefficients"]), [.. g.Coefficients.Select(t => t.Estimate)], 1e-9, "coefficients");
        Close(D(c["std_errors"]!["nonrobust"]), [.. g.Coefficients.Select(t => t.StdError)], 1e-6, "nonrobust");
        Close([(double)c["llf"]!, (double)c["deviance"]!, (double)c["null_deviance"]!, (double)c["aic"]!, (double)c["df_resid"]!],
            [g.LogLikelihood, g.Deviance, g.NullDeviance, g.Aic, g.DfResid], 1e-8, "llf, deviance, null deviance, aic, df_resid");
        if (freq)
        {
            var (h, _) = FormulaModels.FitGlm(frame, formula, o, d, CovarianceOptions.Parse("HC0"));
            Close(D(c["std_errors"]!["HC0"]), [.. h.Coefficients.Select(t => t.StdError)], 1e-6, "HC0");
            var (k, _) = FormulaModels.FitGlm(frame, formula, o, d, CovarianceOptions.Parse("cluster:firm"));
            Close(D(c["std_errors"]!["cluster"]), [.. k.Coefficients.Select(t => t.StdError)], 1e-6, "cluster");
        }
        else
        {
            var e = Assert.Throws<ArgumentException>(() => FormulaModels.FitGlm(frame, formula, o, d, CovarianceOptions.Parse("HC0")));
            Assert.StartsWith("robust standard errors with analytic (variance) weights are not given", e.Message);
        }
    }
}
