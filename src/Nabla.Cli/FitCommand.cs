using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.LinearAlgebra;
using Nabla.Optimization;

namespace Nabla.Cli;

/// <summary>
/// `nabla fit "objective" --data train.csv --target y --wrt w`: any differentiable objective fitted to a CSV. Exit codes:
/// 0 converged, 1 bad input or not converged (the reason is printed either way), 2 bad command line.
/// </summary>
public static class FitCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var objective = new Argument<string>("objective") { Description = "The loss, e.g. \"sum(softplus(-y.*(X*w))) + lambda*norm2(w)^2\": X is the feature columns, y the target." };
        var data = new Option<string?>("--data") { Description = "The CSV file (with a header row)." };
        var target = new Option<string?>("--target") { Description = "The column that becomes the vector y." };
        var features = new Option<string?>("--features") { Description = "Comma-separated columns that become the matrix X (default: every other column)." };
        var intercept = new Option<bool>("--intercept") { Description = "A column of ones first in X (its coefficient is printed as 'intercept')." };
        var wrt = new Option<string[]>("--wrt") { Description = "A variable to fit (repeatable).", AllowMultipleArgumentsPerToken = false };
        var set = new Option<string[]>("--set") { Description = "A scalar's value, name=value (repeatable), e.g. --set lambda=0.1." };
        var lower = new Option<string[]>("--lower") { Description = "A lower bound for every entry of a fitted variable, name=value (repeatable), e.g. --lower w=0: then L-BFGS or gd is projected." };
        var upper = new Option<string[]>("--upper") { Description = "An upper bound, likewise." };
        var at = new Option<FileInfo?>("--at") { Description = "A JSON file of other values by name (and starting values of the fitted variables; zeros otherwise)." };
        var method = new Option<string>("--method") { Description = "lbfgs (default), gd, newton or newton-cg (Hessian-vector products: no Hessian formed).", DefaultValueFactory = _ => "lbfgs" };
        method.AcceptOnlyFromAmong("lbfgs", "gd", "newton", "newton-cg");
        var maxIt = new Option<int>("--max-iterations") { Description = "The iteration limit (default 1000).", DefaultValueFactory = _ => 1000 };
        var tol = new Option<double>("--tolerance") { Description = "Converged when the gradient's largest entry is at most this (default 1e-8).", DefaultValueFactory = _ => 1e-8 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: parameters, value, gradient_norm, iterations, evaluations, converged, reason, message." };
        var decimalSep = new Option<string>("--decimal") { Description = "The decimal separator of the numbers: '.' (default) or ','.", DefaultValueFactory = _ => "." };
        var formula = new Option<string?>("--formula") { Description = "A model formula whose design becomes X (the Intercept column first when it has one) and whose response becomes y, e.g. \"churned ~ tenure + C(plan)\" (instead of --target/--features/--intercept)." };
        var plot = new Option<string?>("--plot") { Description = "Write the loss and the gradient's size per iteration as a PNG." };
        var frameOptions = new FrameCliOptions();
        var predict = new Option<string?>("--predict") { Description = "A CSV or Parquet file: write each row with the fitted model's prediction appended (see --response)." };
        var response = new Option<string>("--response") { Description = "What --predict computes per row, in X and the fitted variables (default X*w; e.g. sigmoid(X*w) for a probability).", DefaultValueFactory = _ => "X*w" };
        var output = new Option<string?>("--output") { Description = "Where --predict writes (.csv or .parquet; default: standard output, the summary then goes to standard error); written to a temporary file and renamed into place." };
        var cmd = new Command("fit", "Fit any differentiable objective to a CSV by gradient descent, L-BFGS or Newton on Nabla's own derivatives.")
        {
            objective, data, target, features, intercept, wrt, set, lower, upper, at, method, maxIt, tol, json, decimalSep, formula, plot, predict, response, output,
        };
        frameOptions.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string text = p.GetValue(objective)!;
            string? path = p.GetValue(data), y = p.GetValue(target);
            var names = p.GetValue(wrt) ?? [];
            string? usage = path is null ? "--data is required: the CSV file"
                : y is null && p.GetValue(formula) is null ? "--target is required: the column that becomes y (or give --formula \"y ~ x1 + x2\")"
                : y is not null && p.GetValue(formula) is not null ? "--formula names y itself; leave out --target (and --features, --intercept)"
                : p.GetValue(plot) is { } pl && !pl.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? $"--plot '{pl}' must be a .png file"
                : p.GetValue(plot) is { } pl2 && RegressCommand.OutputProblem(pl2, path) is { } plotProblem ? plotProblem.Replace("--output", "--plot")
                : p.GetValue(output) is not null && p.GetValue(predict) is null ? "--output needs --predict: the file to predict for"
                : p.GetValue(output) is { } op && RegressCommand.OutputProblem(op, path, p.GetValue(predict)) is { } outProblem ? outProblem
                : names.Length == 0 ? "--wrt is required: the variable to fit, e.g. --wrt w"
                : p.GetValue(maxIt) < 0 ? "--max-iterations must be at least 0"
                : !(p.GetValue(tol) >= 0) ? "--tolerance must be at least 0"
                : p.GetValue(decimalSep) is not ("." or ",") ? $"--decimal takes '.' or ',', not '{p.GetValue(decimalSep)}'"
                : null;
            Dictionary<string, double> Pairs(string option, string[]? given, string example)
            {
                var result = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var s in given ?? [])
                {
                    int eq = s.IndexOf('=');
                    if (eq <= 0 || !double.TryParse(s[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v))
                    {
                        usage ??= $"{option} '{s}' must be name=number, e.g. {option} {example}";
                        continue;
                    }
                    result[s[..eq].Trim()] = v;
                }
                return result;
            }
            var scalars = Pairs("--set", p.GetValue(set), "lambda=0.1");
            if (scalars.Values.Any(v => !double.IsFinite(v))) usage ??= "--set takes finite numbers";
            var lowers = Pairs("--lower", p.GetValue(lower), "w=0");
            var uppers = Pairs("--upper", p.GetValue(upper), "w=1");
            if (usage is not null)
            {
                stderr.WriteLine($"nabla fit: {usage}");
                return 2;
            }
            try
            {
                var values = p.GetValue(at) is { } file ? Protocol.JsonValues.ParseValues(File.ReadAllText(file.FullName)) : [];
                var trace = new List<MinimizeProgress>();
                var bar = Progress(stderr, p.GetValue(maxIt));
                string? plotPath = p.GetValue(plot);
                Action<MinimizeProgress>? progress = plotPath is null ? bar : bar is null ? trace.Add : pr => { trace.Add(pr); bar(pr); };
                var options = new FitOptions
                {
                    Target = y,
                    Formula = p.GetValue(formula),
                    Frame = frameOptions.Read(p, p.GetValue(decimalSep)![0]),
                    Features = p.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                    Intercept = p.GetValue(intercept),
                    Wrt = names,
                    Set = scalars,
                    At = values,
                    DecimalSeparator = p.GetValue(decimalSep)![0],
                    Minimize = new MinimizeOptions
                    {
                        Method = p.GetValue(method) switch { "gd" => Method.GradientDescent, "newton" => Method.Newton, "newton-cg" => Method.NewtonCg, _ => Method.Lbfgs },
                        MaxIterations = p.GetValue(maxIt),
                        GradientTolerance = p.GetValue(tol),
                        Lower = lowers,
                        Upper = uppers,
                        Progress = progress,
                    },
                };
                var fit = CsvFit.Fit(text, path!, options);
                if (bar is not null) stderr.Write("\r" + new string(' ', 78) + "\r");
                if (fit.Run.Reason == StopReason.NotFinite && fit.Run.Iterations == 0)
                {
                    stderr.WriteLine($"error[domain_error]: {fit.Run.Message}; start elsewhere with --at values.json");
                    return 1;
                }
                string? predictPath = p.GetValue(predict), outPath = p.GetValue(output);
                var summary = predictPath is not null && outPath is null ? stderr : stdout;
                if (p.GetValue(json)) summary.WriteLine(Protocol.RequestHandler.Serialize(Json(fit, p.GetValue(method)!)));
                else Table(fit, p.GetValue(method)!, summary);
                if (predictPath is not null)
                {
                    var (predicted, newFrame) = CsvFit.Predict(fit, options, predictPath, p.GetValue(response)!);
                    long rows = FramePredictions.Write(predictPath, newFrame, predicted, outPath, stdout, options.DecimalSeparator);
                    if (outPath is not null) summary.WriteLine($"wrote {rows} predictions to {outPath}");
                }
                if (plotPath is not null)
                {
                    RegressCommand.WriteAtomically(plotPath, (Stream st) => { Plots.Convergence(trace, st); return 0; });
                    stderr.WriteLine($"wrote the loss and gradient plot to {plotPath}");
                }
                if (!fit.Run.Converged) stderr.WriteLine($"warning: {fit.Run.Message}; the values above are where it stopped, not a minimiser");
                return fit.Run.Converged ? 0 : 1;
            }
            catch (Exception e) when (NablaException.Find(e) is { } d)
            {
                stderr.Write(Commands.FormatError(text, d));
                return 1;
            }
            catch (Exception e) when (e is CsvDataException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    private static string F(double v) => v.ToString("G10", CultureInfo.InvariantCulture);

    /// <summary>On a terminal, one line that shows the iteration, the loss and the gradient's size, five times a second.</summary>
    private static Action<MinimizeProgress>? Progress(TextWriter stderr, int maxIterations)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected) return null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long last = -1000;
        return p =>
        {
            long ms = clock.ElapsedMilliseconds;
            if (ms - last < 200) return;
            last = ms;
            double f = Math.Min(1, (double)p.Iteration / Math.Max(1, maxIterations));
            int bar = (int)(f * 20);
            stderr.Write($"\r[{new string('#', bar)}{new string('.', 20 - bar)}] iteration {p.Iteration}  loss {p.Value:G8}  gradient {p.GradientNorm:G3}   ");
        };
    }

    private static void Table(FitResult fit, string method, TextWriter o)
    {
        var r = fit.Run;
        o.WriteLine($"fit: {fit.Objective}");
        o.WriteLine($"  {fit.Rows} rows{(fit.Dropped > 0 ? $" ({fit.Dropped} dropped: missing values)" : "")}; {method}, {r.Iterations} iterations, {r.Evaluations} evaluations, {r.Time.TotalMilliseconds:F0} ms");
        o.WriteLine($"  {r.Message}");
        o.WriteLine($"  loss: {F(r.Value)}");
        foreach (var (name, t) in r.Minimizer)
        {
            if (fit.EntryNames(name) is { } entries)
            {
                o.WriteLine($"{name}:");
                int width = entries.Max(e => e.Length);
                for (int i = 0; i < entries.Count; i++) o.WriteLine($"  {entries[i].PadRight(width)}  {F(t.Data[i])}");
            }
            else if (t.Kind == ShapeKind.Scalar) o.WriteLine($"{name} = {F(t.ScalarValue)}");
            else o.WriteLine($"{name} = [{string.Join(", ", t.Data.Select(F))}]{(t.Kind == ShapeKind.Matrix ? $" ({t.Rows}×{t.Cols}, row by row)" : "")}");
        }
    }

    private static JsonObject Json(FitResult fit, string method)
    {
        var r = fit.Run;
        var parameters = new JsonObject();
        foreach (var (name, t) in r.Minimizer)
        {
            if (fit.EntryNames(name) is { } entries)
            {
                var o = new JsonObject();
                for (int i = 0; i < entries.Count; i++) o[entries[i]] = t.Data[i];
                parameters[name] = o;
            }
            else if (t.Kind == ShapeKind.Scalar) parameters[name] = t.ScalarValue;
            else if (t.Kind == ShapeKind.Matrix)
                parameters[name] = new JsonArray(Enumerable.Range(0, t.Rows).Select(i => (JsonNode?)new JsonArray(t.Data.Skip(i * t.Cols).Take(t.Cols).Select(v => (JsonNode?)v).ToArray())).ToArray());
            else parameters[name] = new JsonArray(t.Data.Select(v => (JsonNode?)v).ToArray());
        }
        return new JsonObject
        {
            ["objective"] = fit.Objective,
            ["method"] = method,
            ["rows"] = fit.Rows,
            ["rows_dropped"] = fit.Dropped,
            ["parameters"] = parameters,
            ["value"] = Finite(r.Value),
            ["gradient_norm"] = Finite(r.GradientNorm),
            ["iterations"] = r.Iterations,
            ["evaluations"] = r.Evaluations,
            ["converged"] = r.Converged,
            ["reason"] = r.Reason switch
            {
                StopReason.Converged => "converged",
                StopReason.Stalled => "stalled",
                StopReason.IterationLimit => "iteration_limit",
                StopReason.Diverged => "diverged",
                _ => "not_finite",
            },
            ["message"] = r.Message,
        };
    }

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
