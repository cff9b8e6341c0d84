using Nabla.Calculus;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Data;
using Nabla.Models;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Simplify;

namespace Nabla.Cli;

/// <summary>`nabla regress data.csv --target y`: least squares from a CSV, with a statsmodels-style summary. Exit codes: 0 ok, 1 bad input, 2 bad command line.</summary>
public static partial class RegressCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Argument<string?>("data") { Description = "The CSV file (with a header row).", Arity = ArgumentArity.ZeroOrOne };
        var target = new Option<string?>("--target") { Description = "The column to predict." };
        var features = new Option<string?>("--features") { Description = "Comma-separated feature columns (default: every other column)." };
        var noIntercept = new Option<bool>("--no-intercept") { Description = "Fit without an intercept." };
        var ridge = new Option<double>("--ridge") { Description = "Ridge penalty λ ≥ 0 on the coefficients (the intercept is not penalised)." };
        var solver = new Option<string>("--solver") { Description = "auto (default), normal, qr, svd or gd.", DefaultValueFactory = _ => "auto" };
        solver.AcceptOnlyFromAmong("auto", "normal", "qr", "svd", "gd");
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var predict = new Option<string?>("--predict") { Description = "A CSV with the feature columns: write each row with its prediction appended." };
        var output = new Option<string?>("--output") { Description = "Where --predict writes (default: standard output; the summary then goes to standard error). Written to a temporary file and renamed into place when complete; never one of the inputs." };
        var decimalSep = new Option<string>("--decimal") { Description = "The decimal separator of the numbers: '.' (default) or ',' (for ';'- or tab-separated files such as 1,5).", DefaultValueFactory = _ => "." };
        var explain = new Option<bool>("--explain") { Description = "Show the derivation Nabla makes: the loss, its gradient, the normal equations, the Hessian." };
        var cmd = new Command("regress", "Linear least squares from a CSV: coefficients, standard errors, t, p, intervals, R², F, rank and condition number.")
        {
            data, target, features, noIntercept, ridge, solver, json, predict, output, explain, decimalSep,
        };
        cmd.SetAction(p =>
        {
            string? path = p.GetValue(data), y = p.GetValue(target);
            if (p.GetValue(explain))
            {
                Explain(stdout);
                if (path is null) return 0;
                stdout.WriteLine();
            }
            if (path is null || y is null)
            {
                stderr.WriteLine(path is null ? "nabla regress: give the CSV file: nabla regress data.csv --target y" : "nabla regress: --target is required: the column to predict");
                return 2;
            }
            double lambda = p.GetValue(ridge);
            if (!(lambda >= 0) || double.IsInfinity(lambda)) { stderr.WriteLine($"nabla regress: --ridge must be a finite λ ≥ 0, not {lambda}"); return 2; }
            var options = new RegressionOptions
            {
                Intercept = !p.GetValue(noIntercept),
                Ridge = lambda,
                Solver = RegressionOptions.ParseSolver(p.GetValue(solver)!),
            };
            var featureList = p.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            string dec = p.GetValue(decimalSep) ?? ".";
            if (dec is not ("." or ","))
            {
                stderr.WriteLine($"nabla regress: --decimal takes '.' or ',', not '{dec}'");
                return 2;
            }
            string? predictPath = p.GetValue(predict), outPath = p.GetValue(output);
            if (outPath is not null && OutputProblem(outPath, path, predictPath) is { } problem)
            {
                stderr.WriteLine($"nabla regress: {problem}");
                return 2;
            }
            try
            {
                var progress = Progress(path, stderr);
                var fit = CsvRegression.Fit(path, y, featureList, options, progress, dec[0]);
                if (progress is not null) stderr.Write("\r" + new string(' ', 72) + "\r");
                var summaryWriter = predictPath is not null && outPath is null ? stderr : stdout;
                if (p.GetValue(json)) summaryWriter.WriteLine(RegressionReport.Json(fit, y));
                else RegressionReport.Table(fit, y, summaryWriter);
                if (predictPath is not null)
                {
                    if (outPath is null) CsvRegression.Predict(predictPath, fit, stdout, dec[0]);
                    else
                    {
                        long rows = WriteAtomically(outPath, w => CsvRegression.Predict(predictPath, fit, w, dec[0]));
                        summaryWriter.WriteLine($"wrote {rows} predictions to {outPath}");
                    }
                }
                return 0;
            }
            catch (Exception e) when (e is CsvDataException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    /// <summary>Why <paramref name="outPath"/> cannot be written: a folder, or one of the inputs (null when it can).</summary>
    internal static string? OutputProblem(string outPath, params string?[] inputs)
    {
        if (Directory.Exists(outPath)) return $"--output '{outPath}' is a folder; give a file name";
        var target = Canonical(outPath);
        foreach (var input in inputs)
            if (input is not null && string.Equals(Canonical(input), target, StringComparison.Ordinal))
                return $"--output '{outPath}' is also an input ('{input}'); writing it would destroy the data: choose another file";
        return null;
    }

    /// <summary>The full path with links resolved, so that two names of one file compare equal.</summary>
    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } t) return Path.GetFullPath(t.FullName);
        }
        catch (IOException) { }
        return full;
    }

    /// <summary>
    /// Writes through a temporary file in the same folder, renamed over <paramref name="path"/> only when the
    /// writer finished: an error midway leaves the old file (or none) and no partial output.
    /// </summary>
    internal static long WriteAtomically(string path, Func<TextWriter, long> write)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            long n;
            using (var w = new StreamWriter(tmp)) n = write(w);
            File.Move(tmp, full, overwrite: true);
            return n;
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>A progress bar on a terminal for files over 64 MB.</summary>
    private static Action<long, long>? Progress(string path, TextWriter stderr)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected) return null;
        if (!File.Exists(path)) return null;
        using (var f = File.OpenRead(path)) if (f.Length < 64L << 20) return null; // opened: the path may be a link
        var clock = Stopwatch.StartNew();
        long last = -1;
        return (done, total) =>
        {
            long ms = clock.ElapsedMilliseconds;
            if (ms - last < 200 && done < total) return;
            last = ms;
            double f = total > 0 ? (double)done / total : 1;
            int bar = (int)(f * 40);
            double mbs = done / 1e6 / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
            stderr.Write($"\r[{new string('#', bar)}{new string('.', 40 - bar)}] {f * 100,5:F1}%  {mbs,6:F0} MB/s");
        };
    }

    /// <summary>How regress fits, each step derived by Nabla: the loss, its gradient, the stationarity condition, the Hessian.</summary>
    public static void Explain(TextWriter o)
    {
        var declarations = new Dictionary<string, VarType> { ["X"] = new(VarKind.Matrix), ["w"] = new(VarKind.Vector), ["y"] = new(VarKind.Vector) };
        var options = new BindOptions { Declarations = declarations, PreferScalar = true };
        const string loss = "(y-X*w)'*(y-X*w)";
        var bound = Binder.Bind(loss, options);
        var w = bound.Variable("w")!;
        var grad = Derivation.Compute(bound.Root, w, DerivativeKind.Gradient);
        var hess = Derivation.Compute(bound.Root, w, DerivativeKind.Hessian);
        var norm = Binder.Bind("norm2(X*w-y)^2", options);
        var grad2 = Derivation.Compute(norm.Root, norm.Variable("w")!, DerivativeKind.Gradient);
        // the gradient is affine in w: ∇Q(w) = H w + ∇Q(0); Nabla evaluates ∇Q(0) symbolically by putting a zero vector for w
        string atZero = WordW().Replace(grad.Text!, "vector(0)");
        var zero = Binder.Bind(atZero, options);
        string g0 = TextPrinter.PrintResult(Simplifier.Simplify(zero.Root));
        string rhs = g0.StartsWith('-') ? g0[1..] : $"-({g0})";

        o.WriteLine("How nabla regress fits: least squares, and every formula below is derived by Nabla, not typed in.");
        o.WriteLine();
        o.WriteLine($"  loss        Q(w) = {TextPrinter.Print(bound.Root)}            (the same as {TextPrinter.Print(norm.Root)})");
        o.WriteLine($"  gradient    ∇_w Q = {grad.Text}                     (of norm2(X*w-y)^2: {grad2.Text})");
        o.WriteLine($"  at w = 0    ∇_w Q(0) = {g0}");
        o.WriteLine($"  Hessian     H = {hess.Text}                            (constant: Q is quadratic)");
        o.WriteLine();
        o.WriteLine($"  So ∇_w Q(w) = H*w + ∇_w Q(0), and ∇_w Q = 0 gives the normal equations");
        o.WriteLine($"      {hess.Text}*w = {rhs}      i.e.  X'*X*w = X'*y");
        o.WriteLine();
        o.WriteLine($"  H = {hess.Text} is positive semi-definite: for every v, v'*H*v = 2*(X*v)'*(X*v) = 2*norm2(X*v)^2 ≥ 0.");
        o.WriteLine("  So every solution of the normal equations is a minimum. H is positive definite — the minimum unique,");
        o.WriteLine("  w = inv(X'*X)*X'*y — exactly when X*v = 0 only for v = 0: X has full column rank. With fewer rows than");
        o.WriteLine("  columns, or dependent columns (a constant or duplicated column beside the intercept), X'*X is singular,");
        o.WriteLine("  w is not unique, and `nabla regress` names the dependency and returns the minimum-norm solution.");
        o.WriteLine("  An intercept is a column of ones in X.");
    }

    [GeneratedRegex(@"\bw\b")]
    private static partial Regex WordW();
}
