using System.CommandLine;
using Nabla.Data;
using Nabla.Models;

namespace Nabla.Cli;

/// <summary>`nabla glm data.csv --target y --family binomial`: a generalised linear model from a CSV. Exit codes: 0 ok, 1 bad input or not converged, 2 bad command line.</summary>
public static class GlmCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Argument<string?>("data") { Description = "The CSV file (with a header row).", Arity = ArgumentArity.ZeroOrOne };
        var target = new Option<string?>("--target") { Description = "The column to model." };
        var family = new Option<string?>("--family") { Description = "binomial (0/1 target, logit link), poisson (counts, log link) or gaussian (identity link)." };
        family.AcceptOnlyFromAmong("binomial", "poisson", "gaussian");
        var features = new Option<string?>("--features") { Description = "Comma-separated feature columns (default: every other column)." };
        var noIntercept = new Option<bool>("--no-intercept") { Description = "Fit without an intercept." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var explain = new Option<bool>("--explain") { Description = "Show the negative log-likelihood and the gradient and Hessian Nabla derives for it." };
        var decimalSep = new Option<string>("--decimal") { Description = "The decimal separator of the numbers: '.' (default) or ','.", DefaultValueFactory = _ => "." };
        var cmd = new Command("glm", "Generalised linear models from a CSV (binomial, Poisson, Gaussian) by Newton's method on the Hessian Nabla derives, with statsmodels' summary.")
        {
            data, target, family, features, noIntercept, json, explain, decimalSep,
        };
        cmd.SetAction(p =>
        {
            string? path = p.GetValue(data), y = p.GetValue(target), fam = p.GetValue(family);
            var f = fam switch { "poisson" => Family.Poisson, "gaussian" => Family.Gaussian, _ => Family.Binomial };
            if (p.GetValue(explain) && fam is not null)
            {
                GlmReport.Explain(f, stdout);
                if (path is null) return 0;
                stdout.WriteLine();
            }
            string? usage = path is null ? "give the CSV file: nabla glm data.csv --target y --family binomial"
                : y is null ? "--target is required: the column to model"
                : fam is null ? "--family is required: binomial, poisson or gaussian"
                : p.GetValue(decimalSep) is not ("." or ",") ? $"--decimal takes '.' or ',', not '{p.GetValue(decimalSep)}'"
                : null;
            if (usage is not null)
            {
                stderr.WriteLine($"nabla glm: {usage}");
                return 2;
            }
            try
            {
                var list = p.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var fit = Glm.FitCsv(path!, y!, list, new GlmOptions { Family = f, Intercept = !p.GetValue(noIntercept) }, p.GetValue(decimalSep)![0]);
                if (p.GetValue(json)) stdout.WriteLine(GlmReport.Json(fit, y!));
                else GlmReport.Table(fit, y!, stdout);
                return fit.Converged ? 0 : 1;
            }
            catch (Exception e) when (e is CsvDataException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }
}
