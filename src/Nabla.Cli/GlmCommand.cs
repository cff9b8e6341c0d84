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
        var predict = new Option<string?>("--predict") { Description = "A CSV with the feature columns: write each row with its predicted mean (probability, rate or value) appended." };
        var output = new Option<string?>("--output") { Description = "Where --predict writes (default: standard output; the summary then goes to standard error). Written to a temporary file and renamed into place when complete; never one of the inputs." };
        var decimalSep = new Option<string>("--decimal") { Description = "The decimal separator of the numbers: '.' (default) or ','.", DefaultValueFactory = _ => "." };
        var cmd = new Command("glm", "Generalised linear models from a CSV (binomial, Poisson, Gaussian) by Newton's method on the Hessian Nabla derives, with statsmodels' summary.")
        {
            data, target, family, features, noIntercept, json, explain, predict, output, decimalSep,
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
            string? predictPath = p.GetValue(predict), outPath = p.GetValue(output);
            if (usage is null && outPath is not null && predictPath is null) usage = "--output needs --predict: the CSV to predict for";
            if (usage is null && outPath is not null && RegressCommand.OutputProblem(outPath, path, predictPath) is { } problem) usage = problem;
            if (usage is not null)
            {
                stderr.WriteLine($"nabla glm: {usage}");
                return 2;
            }
            try
            {
                var list = p.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var fit = Glm.FitCsv(path!, y!, list, new GlmOptions { Family = f, Intercept = !p.GetValue(noIntercept) }, p.GetValue(decimalSep)![0]);
                var summary = predictPath is not null && outPath is null ? stderr : stdout;
                if (p.GetValue(json)) summary.WriteLine(GlmReport.Json(fit, y!));
                else GlmReport.Table(fit, y!, summary);
                if (predictPath is not null)
                {
                    char dec = p.GetValue(decimalSep)![0];
                    double Mean(double[] x) => fit.Predict(x);
                    if (outPath is null) CsvRegression.Predict(predictPath, fit.FeatureNames, Mean, stdout, dec);
                    else
                    {
                        long rows = RegressCommand.WriteAtomically(outPath, w => CsvRegression.Predict(predictPath, fit.FeatureNames, Mean, w, dec));
                        summary.WriteLine($"wrote {rows} predictions to {outPath}");
                    }
                }
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
