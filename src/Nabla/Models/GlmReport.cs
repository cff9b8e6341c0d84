using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Nabla.Models;

/// <summary>A GLM as the table statsmodels' GLM summary and R's glm print, and as one JSON object (regress --json's keys and more).</summary>
public static class GlmReport
{
    private static string G(double v, int digits = 6) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("G" + digits, CultureInfo.InvariantCulture);

    /// <summary>The family with its link, as the summary names it: "binomial (logit link)", "Poisson (log link)", "Gaussian (identity link)".</summary>
    public static string FamilyName(Family f) => f switch { Family.Binomial => "binomial (logit link)", Family.Poisson => "Poisson (log link)", _ => "Gaussian (identity link)" };

    /// <summary>Writes the statsmodels-style summary table of <paramref name="r"/>, for the response <paramref name="target"/>, to <paramref name="o"/>.</summary>
    public static void Table(GlmResult r, string target, TextWriter o)
    {
        o.WriteLine(r.Formula is { } formula ? $"GLM, {FamilyName(r.Family)}: {formula}" : $"GLM, {FamilyName(r.Family)}: {target} ~ {string.Join(" + ", r.Names)}");
        int p = r.Names.Count;
        string n = r.Dropped == 0 ? $"n = {r.N}" : $"n = {r.N:N0} ({r.Dropped:N0} row{(r.Dropped == 1 ? "" : "s")} dropped: missing values)";
        o.WriteLine($"  {n}{(r.WeightsKind is { } wk ? $" ({wk} weights)" : "")}   coefficients = {p}   df residual = {G(r.DfResid)}   Newton iterations = {r.Iterations}   converged = {(r.Converged ? "yes" : "NO")}");
        o.WriteLine($"  log-likelihood = {G(r.LogLikelihood, 8)}   null log-likelihood = {G(r.NullLogLikelihood, 8)}   pseudo R² (McFadden) = {G(r.PseudoR2, 5)}");
        o.WriteLine($"  deviance = {G(r.Deviance, 8)}   null deviance = {G(r.NullDeviance, 8)}   AIC = {G(r.Aic, 8)}   BIC = {G(r.Bic, 8)}{(r.Family == Family.Gaussian ? $"   scale = {G(r.Scale, 6)}" : "")}");
        if (r.Covariance != "nonrobust") o.WriteLine($"  covariance: {RegressionReport.CovarianceText(r.Covariance, r.Clusters).Replace($", F on {r.Clusters?.Groups - 1} df", "")}");
        o.WriteLine();
        RegressionReport.CoefficientTable(r.Coefficients, "z", r.Warnings, o);
    }

    /// <summary>
    /// One JSON object: target, family, coefficients (name → value), std_errors, z_values, p_values, conf_int, n,
    /// log_likelihood, null_log_likelihood, deviance, null_deviance, aic, bic, pseudo_r2, scale, iterations, converged,
    /// warnings. Non-finite numbers are null.
    /// </summary>
    public static string Json(GlmResult r, string target)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            j.WriteString("target", target);
            j.WriteString("family", r.Family.ToString().ToLowerInvariant());
            RegressionReport.Map(j, "coefficients", r.Coefficients, t => t.Estimate);
            RegressionReport.Map(j, "std_errors", r.Coefficients, t => t.StdError);
            RegressionReport.Map(j, "z_values", r.Coefficients, t => t.T);
            RegressionReport.Map(j, "p_values", r.Coefficients, t => t.P);
            RegressionReport.Intervals(j, r.Coefficients);
            j.WriteNumber("n", r.N);
            j.WriteNumber("n_dropped", r.Dropped);
            RegressionReport.Num(j, "df_resid", r.DfResid);
            if (r.WeightsKind is not null) j.WriteString("weights", r.WeightsKind);
            j.WriteString("cov_type", r.Covariance);
            if (r.Clusters is { } cl) { j.WriteString("cluster", cl.Column); j.WriteNumber("n_clusters", cl.Groups); }
            if (r.Formula is not null) j.WriteString("formula", r.Formula);
            RegressionReport.Num(j, "log_likelihood", r.LogLikelihood);
            RegressionReport.Num(j, "null_log_likelihood", r.NullLogLikelihood);
            RegressionReport.Num(j, "deviance", r.Deviance);
            RegressionReport.Num(j, "null_deviance", r.NullDeviance);
            RegressionReport.Num(j, "aic", r.Aic);
            RegressionReport.Num(j, "bic", r.Bic);
            RegressionReport.Num(j, "pseudo_r2", r.PseudoR2);
            RegressionReport.Num(j, "scale", r.Scale);
            j.WriteNumber("iterations", r.Iterations);
            j.WriteBoolean("converged", r.Converged);
            j.WriteStartArray("warnings");
            foreach (var w in r.Warnings) j.WriteStringValue(w);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The derivation behind the fit: the negative log-likelihood, and its gradient and Hessian as Nabla derives them.</summary>
    public static void Explain(Family family, TextWriter o)
    {
        var (loss, gradient, hessian) = Glm.Derive(family);
        o.WriteLine($"The {FamilyName(family)} model's negative log-likelihood in w (X the design, y the target), up to a constant:");
        o.WriteLine($"  L(w)   = {loss}");
        o.WriteLine("Nabla derives, and Newton's method (for this canonical link, IRLS) steps w ← w - H⁻¹∇ on:");
        o.WriteLine($"  ∇_w L  = {gradient}");
        o.WriteLine($"  H_w    = {hessian}");
        o.WriteLine("The standard errors are the square roots of the diagonal of H⁻¹ at the estimate" + (family == Family.Gaussian ? ", times the scale RSS/(n - p)." : "."));
        var certificate = Glm.Certificate(family);
        o.WriteLine($"Nabla's certificate (nabla convex): L is {certificate.VerdictText} in w, so Newton's stationary point is the maximum-likelihood estimate:");
        foreach (var step in certificate.Steps) o.WriteLine($"  {step}");
    }
}
