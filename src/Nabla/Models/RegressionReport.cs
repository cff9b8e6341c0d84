using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nabla.Models;

/// <summary>A fit as a statsmodels-like table for the terminal, and as one JSON object.</summary>
public static class RegressionReport
{
    private static string G(double v, int digits = 6) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : v.ToString("G" + digits, CultureInfo.InvariantCulture);

    /// <summary>Writes the statsmodels-style summary table of <paramref name="r"/>, for the response <paramref name="target"/>, to <paramref name="o"/>.</summary>
    public static void Table(RegressionResult r, string target, TextWriter o)
    {
        string kind = r.Ridge > 0 ? $"Ridge regression (λ = {G(r.Ridge)})" : r.WeightsColumn is { } wc ? $"WLS regression (weights: {wc})" : "OLS regression";
        o.WriteLine(r.Formula is { } formula ? $"{kind}: {formula}" : $"{kind}: {target} ~ {string.Join(" + ", r.Table.Select(t => t.Name))}");
        // d counts the features, the rank the design's columns (the intercept's among them): say both, so they agree.
        int columns = r.D + (r.HasIntercept ? 1 : 0);
        string n = r.Dropped == 0 ? $"n = {r.N}" : $"n = {r.N:N0} ({r.Dropped:N0} row{(r.Dropped == 1 ? "" : "s")} dropped: missing values)";
        o.WriteLine($"  {n}   {(r.Formula is null ? "features" : "columns")} = {r.D}{(r.HasIntercept ? " + intercept" : "")}   rank = {r.Rank} of {columns} columns   condition number = {G(r.ConditionNumber, 4)}   solver = {r.Solver}");
        if (r.Covariance != "nonrobust") o.WriteLine($"  covariance: {CovarianceText(r.Covariance, r.Clusters)}");
        o.WriteLine($"  R² = {G(r.RSquared, 5)}   adjusted R² = {G(r.AdjustedRSquared, 5)}   F = {G(r.FStatistic, 5)} (p = {(r.FPValue < 1e-300 ? "<1e-300" : G(r.FPValue, 3))}, {G(r.DfModel)} and {G(r.DfResid)} df)");
        o.WriteLine($"  residual standard error = {G(r.ResidualStdError, 5)} on {G(r.DfResid)} degrees of freedom");
        o.WriteLine();
        CoefficientTable(r.Table, r.Statistic, r.Warnings, o);
    }

    /// <summary>"HC1 (heteroscedasticity-robust; z tests)", "cluster-robust by firm (20 clusters; z tests)".</summary>
    internal static string CovarianceText(string type, (string Column, int Groups)? clusters) =>
        type == "cluster" ? $"cluster-robust by {clusters!.Value.Column} ({clusters.Value.Groups} clusters; z tests, F on {clusters.Value.Groups - 1} df)"
            : $"{type} (heteroscedasticity-robust; z tests)";

    /// <summary>The coefficient table (estimate, standard error, the test statistic named <paramref name="stat"/>, p, 95% interval), then the warnings.</summary>
    internal static void CoefficientTable(IReadOnlyList<CoefficientRow> rows, string stat, IReadOnlyList<string> warnings, TextWriter o)
    {
        int w = Math.Max(12, rows.Max(t => t.Name.Length) + 2);
        o.WriteLine($"{"",-12}".PadRight(w) + $"{"coef",13}{"std err",12}{stat,10}{$"P>|{stat}|",11}{"[0.025",13}{"0.975]",13}");
        foreach (var t in rows)
            o.WriteLine(t.Name.PadRight(w) + $"{G(t.Estimate),13}{G(t.StdError, 4),12}{G(t.T, 4),10}{P(t.P),11}{G(t.Lower, 5),13}{G(t.Upper, 5),13}");
        if (warnings.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("warnings:");
            foreach (var warning in warnings) o.WriteLine($"  - {warning}");
        }
    }

    /// <summary>A p-value: below the smallest normal double it is shown as &lt;1e-300 (a subnormal is not a meaningful probability).</summary>
    private static string P(double p) => double.IsNaN(p) ? "nan" : p < 1e-300 ? "<1e-300" : p < 1e-4 ? p.ToString("0.0E+0", CultureInfo.InvariantCulture) : p.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>
    /// One JSON object: coefficients (name → value, the intercept under "(intercept)"), std_errors, t_values,
    /// p_values, conf_int, rank, condition_number, r2, adj_r2, f_statistic, f_pvalue, residual_std_error,
    /// n, d, solver, dependencies and warnings. Non-finite numbers are null.
    /// </summary>
    public static string Json(RegressionResult r, string target)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            j.WriteString("target", target);
            if (r.Formula is not null) j.WriteString("formula", r.Formula);
            j.WriteStartArray("columns");
            foreach (var t in r.Table) j.WriteStringValue(t.Name);
            j.WriteEndArray();
            Map(j, "coefficients", r.Table, t => t.Estimate);
            Map(j, "std_errors", r.Table, t => t.StdError);
            Map(j, r.Statistic == "t" ? "t_values" : "z_values", r.Table, t => t.T);
            Map(j, "p_values", r.Table, t => t.P);
            Intervals(j, r.Table);
            j.WriteNumber("rank", r.Rank);
            Num(j, "condition_number", r.ConditionNumber);
            Num(j, "r2", r.RSquared);
            Num(j, "adj_r2", r.AdjustedRSquared);
            Num(j, "f_statistic", r.FStatistic);
            Num(j, "f_pvalue", r.FPValue);
            Num(j, "residual_std_error", r.ResidualStdError);
            j.WriteNumber("n", r.N);
            j.WriteNumber("n_dropped", r.Dropped);
            j.WriteString("cov_type", r.Covariance);
            if (r.Clusters is { } cl) { j.WriteString("cluster", cl.Column); j.WriteNumber("n_clusters", cl.Groups); }
            if (r.WeightsColumn is not null) j.WriteString("weights", r.WeightsColumn);
            j.WriteNumber("d", r.D);
            Num(j, "df_model", r.DfModel);
            Num(j, "df_resid", r.DfResid);
            j.WriteBoolean("intercept", r.HasIntercept);
            Num(j, "ridge", r.Ridge);
            j.WriteString("solver", r.Solver);
            j.WriteStartArray("dependencies");
            foreach (var d in r.Dependencies) j.WriteStringValue(d.Text);
            j.WriteEndArray();
            j.WriteStartArray("warnings");
            foreach (var w in r.Warnings) j.WriteStringValue(w);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>A number, or null where it is not finite (JSON has no NaN or infinity).</summary>
    internal static void Num(Utf8JsonWriter j, string name, double v)
    {
        if (double.IsFinite(v)) j.WriteNumber(name, v); else j.WriteNull(name);
    }

    /// <summary>A number in an array, or null where it is not finite.</summary>
    internal static void Num(Utf8JsonWriter j, double v)
    {
        if (double.IsFinite(v)) j.WriteNumberValue(v); else j.WriteNullValue();
    }

    /// <summary>An object of one number per coefficient, by name.</summary>
    internal static void Map(Utf8JsonWriter j, string name, IEnumerable<CoefficientRow> rows, Func<CoefficientRow, double> f)
    {
        j.WriteStartObject(name);
        foreach (var t in rows) Num(j, t.Name, f(t));
        j.WriteEndObject();
    }

    /// <summary>The 95% intervals, by name.</summary>
    internal static void Intervals(Utf8JsonWriter j, IEnumerable<CoefficientRow> rows)
    {
        j.WriteStartObject("conf_int");
        foreach (var t in rows)
        {
            j.WriteStartArray(t.Name);
            Num(j, t.Lower);
            Num(j, t.Upper);
            j.WriteEndArray();
        }
        j.WriteEndObject();
    }
}
