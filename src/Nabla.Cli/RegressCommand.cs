using Nabla.Calculus;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Simplify;

namespace Nabla.Cli;

/// <summary>`nabla regress data.csv --target y`: least squares from a CSV, with a statsmodels-style summary. Exit codes: 0 ok, 1 bad input, 2 bad command line.</summary>
public static partial class RegressCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Argument<string?>("data") { Description = "The CSV or Parquet file (by the extension; - reads a CSV from standard input).", Arity = ArgumentArity.ZeroOrOne };
        var formulaArg = new Argument<string?>("formula") { Description = "A model formula, as statsmodels and R write it: \"price ~ sqft + beds + C(city)\" (instead of --target/--features).", Arity = ArgumentArity.ZeroOrOne };
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
        var frameOptions = new FrameCliOptions();
        var weights = new Option<string?>("--weights") { Description = "A column of positive weights: weighted least squares (statsmodels' WLS: analytic weights, 1/variance)." };
        var cov = new Option<string>("--cov") { Description = "Standard errors: nonrobust (default), HC0, HC1, HC2, HC3 (heteroscedasticity-robust) or cluster:column (clustered).", DefaultValueFactory = _ => "nonrobust" };
        var engine = new Option<string?>("--engine") { Description = "duckdb: push the fit down to an embedded DuckDB, which streams the file (Parquet, CSV, JSON; a glob such as 'data/*.parquet') and computes the sums of squares and cross-products in SQL; Nabla solves them. postgres://user@host:port/database: the same SQL on a PostgreSQL server (with --sql). Formula terms: numeric and text columns, C(x), log/exp/sqrt of a column, numeric interactions." };
        var sql = new Option<string?>("--sql") { Description = "Fit on the rows of a SQL query run by the embedded DuckDB (implies --engine duckdb): --sql \"SELECT * FROM 'events/*.parquet' WHERE year >= 2024\" \"y ~ x1 + x2\"." };
        var emitSql = new Option<string?>("--emit-sql") { Description = "Print, instead of fitting, the one SQL statement that computes the fit's sums where the data lives: duckdb, postgres, spark or trino. The data argument is the table (or a file, for duckdb), or give --sql. Run it, save its one row as JSON or CSV, and finish with --from-sums." };
        var fromSums = new Option<string?>("--from-sums") { Description = "Finish the fit from the sums an --emit-sql statement returned (its one row, as sums.json or sums.csv); give the same formula." };
        var showSql = new Option<bool>("--show-sql") { Description = "With --engine duckdb or --sql: print the SQL the fit ran (to standard error)." };
        var plot = new Option<string?>("--plot") { Description = "Write regression diagnostics as one PNG: residuals against fitted values, a normal Q-Q plot, leverage against standardized residuals with Cook's distance." };
        var cmd = new Command("regress", "Linear least squares from a CSV or Parquet file, by formula or by columns: coefficients, standard errors (classical, robust, clustered), t, p, intervals, R², F, rank and condition number.")
        {
            data, formulaArg, target, features, noIntercept, ridge, solver, json, predict, output, explain, decimalSep, weights, cov, plot,
            engine, sql, showSql, emitSql, fromSums,
        };
        frameOptions.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string? path = p.GetValue(data), y = p.GetValue(target), formulaText = p.GetValue(formulaArg);
            string? engineName = p.GetValue(engine), query = p.GetValue(sql), emitDialect = p.GetValue(emitSql), sumsPath = p.GetValue(fromSums);
            if ((query is not null || sumsPath is not null || emitDialect is not null) && formulaText is null && path is not null && path.Contains('~')) (formulaText, path) = (path, null); // --sql "…" "y ~ x"
            if (emitDialect is not null || sumsPath is not null)
                return SumsRoute(emitDialect, sumsPath, path, query, formulaText, p.GetValue(weights), p.GetValue(ridge), p.GetValue(json), stdout, stderr);
            if (engineName is not null || query is not null)
                return SqlRegress(engineName, path, query, formulaText, y, p.GetValue(features), !p.GetValue(noIntercept), p.GetValue(ridge),
                    p.GetValue(solver)!, p.GetValue(weights), p.GetValue(json), p.GetValue(showSql),
                    p.GetValue(cov) is { } c && c != "nonrobust" || p.GetValue(predict) is not null || p.GetValue(plot) is not null || p.GetValue(explain),
                    stdout, stderr);
            if (p.GetValue(explain))
            {
                Explain(stdout);
                if (path is null) return 0;
                stdout.WriteLine();
            }
            if (path is null || (y is null && formulaText is null))
            {
                stderr.WriteLine(path is null ? "nabla regress: give the CSV file: nabla regress data.csv \"y ~ x1 + x2\" (or --target y)" : "nabla regress: give a formula (nabla regress data.csv \"y ~ x1 + x2\") or --target: the column to predict");
                return 2;
            }
            if (formulaText is not null && (y is not null || p.GetValue(features) is not null || p.GetValue(noIntercept)))
            {
                stderr.WriteLine("nabla regress: a formula names the response and the terms itself; leave out --target, --features and --no-intercept (write - 1 in the formula for no intercept)");
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
            string? predictPath = p.GetValue(predict), outPath = p.GetValue(output), plotPath = p.GetValue(plot);
            if (outPath is not null && OutputProblem(outPath, path, predictPath) is { } problem)
            {
                stderr.WriteLine($"nabla regress: {problem}");
                return 2;
            }
            if (plotPath is not null && (OutputProblem(plotPath, path, predictPath, outPath) ?? (plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? null : $"--plot '{plotPath}' must be a .png file")) is { } plotProblem)
            {
                stderr.WriteLine($"nabla regress: {plotProblem.Replace("--output", "--plot")}");
                return 2;
            }
            if (predictPath == "-") { stderr.WriteLine("nabla regress: --predict reads a file, not standard input"); return 2; }
            CovarianceOptions covariance;
            FrameOptions frameOpts;
            try
            {
                covariance = CovarianceOptions.Parse(p.GetValue(cov)!);
                frameOpts = frameOptions.Read(p, dec[0]);
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"nabla regress: {e.Message}");
                return 2;
            }
            string? weightCol = p.GetValue(weights);
            // the frame route: a formula, or anything the one-pass numeric reader does not do
            bool frameRoute = formulaText is not null || weightCol is not null || covariance.Type != CovarianceType.Nonrobust || plotPath is not null
                || frameOptions.Given(p) || path == "-" || FrameReader.IsParquet(path) || (outPath is not null && FrameReader.IsParquet(outPath));
            if (frameRoute)
                return FrameRegress(path, formulaText, y, featureList, options, frameOpts, weightCol, covariance, p.GetValue(json), predictPath, outPath, plotPath, stdout, stderr);
            try
            {
                var progress = Progress(path, stderr);
                RegressionResult fit;
                try
                {
                    fit = CsvRegression.Fit(path, y!, featureList, options, progress, dec[0]);
                }
                catch (CsvDataException e) when (e.Message.Contains(" is not a number") || e.Message.Contains(": the value is missing"))
                {
                    // a text column (categorical) or a missing value: read the file as a frame, as a formula fit does
                    if (progress is not null) stderr.Write("\r" + new string(' ', 72) + "\r");
                    return FrameRegress(path, null, y, featureList, options, frameOpts, null, covariance, p.GetValue(json), predictPath, outPath, plotPath, stdout, stderr);
                }
                if (progress is not null) stderr.Write("\r" + new string(' ', 72) + "\r");
                var summaryWriter = predictPath is not null && outPath is null ? stderr : stdout;
                if (p.GetValue(json)) summaryWriter.WriteLine(RegressionReport.Json(fit, y!));
                else RegressionReport.Table(fit, y!, summaryWriter);
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

    /// <summary>--emit-sql (write the statement of the sums) and --from-sums (finish the fit from its row).</summary>
    private static int SumsRoute(string? emitDialect, string? sumsPath, string? path, string? query, string? formulaText, string? weights, double ridge, bool json,
        TextWriter stdout, TextWriter stderr)
    {
        if (emitDialect is not null && sumsPath is not null) { stderr.WriteLine("nabla regress: --emit-sql writes the statement, --from-sums reads its result: give one"); return 2; }
        if (formulaText is null) { stderr.WriteLine("nabla regress: give the formula: nabla regress events --emit-sql spark \"y ~ x1 + x2\""); return 2; }
        return FrameCliOptions.Guard(formulaText, stderr, () =>
        {
            var formula = Formula.Parse(formulaText);
            if (emitDialect is not null)
            {
                var dialect = Sql.SqlDialect.Parse(emitDialect);
                if (query is not null && path is not null) throw new ArgumentException("give the table (or file) or --sql, not both");
                string relation = query is not null ? $"({query.Trim().TrimEnd(';')})"
                    : path is null ? throw new ArgumentException("give the table the statement reads (nabla regress events \"y ~ x\" --emit-sql spark), or --sql")
                    : dialect == Sql.SqlDialect.DuckDb && System.IO.Path.HasExtension(path) ? Sql.SqlSource.File(path).Relation()
                    : path; // a table as the engine names it (db.schema.table): the user's own SQL, run by the user
                stdout.WriteLine(Sql.SqlSums.Query(relation, formula, dialect, weights) + ";");
                return 0;
            }
            if (path is not null || query is not null) throw new ArgumentException("--from-sums reads the sums, not the data: leave out the data and --sql");
            var fit = Sql.SqlSums.Fit(Sql.SqlSums.Load(sumsPath!), formula, new RegressionOptions { Ridge = ridge });
            if (json) stdout.WriteLine(RegressionReport.Json(fit, formula.Response!.Name));
            else RegressionReport.Table(fit, formula.Response!.Name, stdout);
            return 0;
        });
    }

    /// <summary>regress pushed down to DuckDB: the sums in SQL, the solve and the report here.</summary>
    private static int SqlRegress(string? engineName, string? path, string? query, string? formulaText, string? target, string? features, bool intercept,
        double ridge, string solver, string? weights, bool json, bool showSql, bool inMemoryOnly, TextWriter stdout, TextWriter stderr)
    {
        bool postgres = engineName is not null && engineName.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) && engineName.Contains("://");
        if (engineName is not null && !engineName.Equals("duckdb", StringComparison.OrdinalIgnoreCase) && !postgres)
        {
            stderr.WriteLine($"nabla regress: --engine takes duckdb (embedded) or a PostgreSQL URI postgres://user@host:port/database, not '{engineName}'");
            return 2;
        }
        if (postgres && query is null)
        {
            stderr.WriteLine("nabla regress: with a PostgreSQL engine give the rows as --sql \"SELECT … FROM table\" (the server reads no local file)");
            return 2;
        }
        if (query is not null && path is not null)
        {
            stderr.WriteLine("nabla regress: give the data as a file or as --sql, not both");
            return 2;
        }
        if (query is null && path is null)
        {
            stderr.WriteLine("nabla regress: give the data: a file (nabla regress data.parquet \"y ~ x\" --engine duckdb) or --sql \"SELECT …\"");
            return 2;
        }
        if (inMemoryOnly)
        {
            stderr.WriteLine("nabla regress: --cov, --predict, --plot and --explain need the rows in memory; leave out --engine and --sql for them");
            return 2;
        }
        if (path == "-")
        {
            stderr.WriteLine("nabla regress: --engine duckdb reads files, not standard input");
            return 2;
        }
        return FrameCliOptions.Guard(formulaText, stderr, () =>
        {
            var formula = formulaText is not null ? Formula.Parse(formulaText)
                : target is not null ? Formula.FromColumns(target, features?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), intercept)
                : throw new ArgumentException("give a formula (\"y ~ x1 + x2\") or --target");
            if (formula.DotAt >= 0) throw new ArgumentException("'.' (every other column) is not pushed down in this version: name the columns");
            var options = new RegressionOptions { Ridge = ridge, Solver = RegressionOptions.ParseSolver(solver) };
            var source = query is not null ? Sql.SqlSource.Select(query) : Sql.SqlSource.File(path!);
            Sql.SqlRegression.Result result;
            var (connection, dialect) = Sql.SqlEngine.Open(engineName);
            using (connection)
            {
                try
                {
                    result = Sql.SqlRegression.Fit(connection, source, formula, options, weights, 1, dialect);
                }
                catch (System.Data.Common.DbException e)
                {
                    throw new ArgumentException($"{(postgres ? "PostgreSQL" : "DuckDB")}: {e.Message.Split('\n')[0]}");
                }
            }
            if (showSql) foreach (var q in result.Queries) stderr.WriteLine(q + ";");
            if (json) stdout.WriteLine(RegressionReport.Json(result.Fit, formula.Response!.Name));
            else RegressionReport.Table(result.Fit, formula.Response!.Name, stdout);
            return 0;
        });
    }

    /// <summary>regress through a frame: a formula (or the target and features as one), missing rows dropped, weights, robust errors, plots.</summary>
    private static int FrameRegress(string path, string? formulaText, string? target, string[]? features, RegressionOptions options, FrameOptions frameOpts,
        string? weightCol, CovarianceOptions covariance, bool json, string? predictPath, string? outPath, string? plotPath, TextWriter stdout, TextWriter stderr)
    {
        return FrameCliOptions.Guard(formulaText, stderr, () =>
        {
            var formula = formulaText is not null ? Formula.Parse(formulaText) : Formula.FromColumns(target!, features, options.Intercept);
            var frame = FrameReader.Read(path, frameOpts);
            var (fit, design) = FormulaModels.Regress(frame, formula, options, new DesignOptions { Weights = weightCol, Missing = frameOpts.Missing }, covariance);
            var summaryWriter = predictPath is not null && outPath is null ? stderr : stdout;
            if (json) summaryWriter.WriteLine(RegressionReport.Json(fit, design.ResponseName));
            else RegressionReport.Table(fit, design.ResponseName, summaryWriter);
            if (plotPath is not null)
            {
                WriteAtomically(plotPath, s => { Plots.RegressionDiagnostics(RegressionDiagnostics.Compute(fit, design), s); return 0; });
                summaryWriter.WriteLine($"wrote the diagnostic plots to {plotPath}");
            }
            if (predictPath is not null)
            {
                FrameCliOptions.Predict(predictPath, frameOpts, nf => FormulaModels.Predict(fit, design, nf), outPath, stdout, summaryWriter);
            }
            return 0;
        });
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
    internal static long WriteAtomically(string path, Func<TextWriter, long> write) =>
        WriteAtomically(path, (Stream s) =>
        {
            using var w = new StreamWriter(s);
            return write(w);
        });

    /// <summary>As the text writer's form, for binary output (Parquet, PNG).</summary>
    internal static long WriteAtomically(string path, Func<Stream, long> write) => FramePredictions.Atomic(path, write);

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
        // the convexity argument is Nabla's certificate on the derived Hessian (nabla convex), not typed in
        var certificate = Nabla.Convexity.ConvexityAnalysis.Analyze(bound.Root, w, bound.Variables);
        o.WriteLine($"  Nabla's certificate (nabla convex): {certificate.VerdictText} in w");
        foreach (var step in certificate.Steps) o.WriteLine($"    {step}");
        o.WriteLine("  So every solution of the normal equations is a minimum. H is positive definite — the minimum unique,");
        o.WriteLine("  w = inv(X'*X)*X'*y — exactly when X*v = 0 only for v = 0: X has full column rank. With fewer rows than");
        o.WriteLine("  columns, or dependent columns (a constant or duplicated column beside the intercept), X'*X is singular,");
        o.WriteLine("  w is not unique, and `nabla regress` names the dependency and returns the minimum-norm solution.");
        o.WriteLine("  An intercept is a column of ones in X.");
    }

    [GeneratedRegex(@"\bw\b")]
    private static partial Regex WordW();
}
