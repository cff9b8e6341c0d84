using System.CommandLine;
using Nabla.Data;
using Nabla.Models;
using Nabla.Models.Formulas;
using Nabla.Diagnostics;

namespace Nabla.Cli;

/// <summary>`nabla glm data.csv --target y --family binomial`: a generalised linear model from a CSV. Exit codes: 0 ok, 1 bad input or not converged, 2 bad command line.</summary>
public static class GlmCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Argument<string?>("data") { Description = "The CSV or Parquet file (by the extension; - reads a CSV from standard input).", Arity = ArgumentArity.ZeroOrOne };
        var formulaArg = new Argument<string?>("formula") { Description = "A model formula, as statsmodels and R write it: \"bought ~ x1 + x2 + C(grp)\" (instead of --target/--features).", Arity = ArgumentArity.ZeroOrOne };
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
        var cov = new Option<string>("--cov") { Description = "Standard errors: nonrobust (default: the inverse Hessian), HC0, HC1 (sandwich) or cluster:column.", DefaultValueFactory = _ => "nonrobust" };
        var frameOptions = new FrameCliOptions();
        var weights = new Option<string?>("--weights") { Description = "A column of positive weights of the rows' log-likelihood terms (statsmodels' var_weights: analytic weights)." };
        var freqWeights = new Option<string?>("--freq-weights") { Description = "A column of whole-number weights that count rows (statsmodels' freq_weights: df residual = Σw - p; robust errors allowed)." };
        var engine = new Option<string?>("--engine") { Description = "duckdb: push the fit down to an embedded DuckDB: each Newton step is one aggregate query (the loss, gradient and Hessian over the rows) on the file (Parquet, CSV, JSON, a glob); binomial and Poisson. postgres://user@host:port/database: the same on a PostgreSQL server (with --sql)." };
        var sql = new Option<string?>("--sql") { Description = "Fit on the rows of a SQL query run by the embedded DuckDB (implies --engine duckdb)." };
        var showSql = new Option<bool>("--show-sql") { Description = "With --engine duckdb or --sql: print the SQL the fit ran (to standard error)." };
        var cmd = new Command("glm", "Generalised linear models from a CSV or Parquet file (binomial, Poisson, Gaussian), by formula or by columns, by Newton's method on the Hessian Nabla derives, with statsmodels' summary.")
        {
            data, formulaArg, target, family, features, noIntercept, json, explain, predict, output, decimalSep, cov, weights, freqWeights,
            engine, sql, showSql,
        };
        frameOptions.AddTo(cmd);
        cmd.SetAction(p =>
        {
            string? path = p.GetValue(data), y = p.GetValue(target), fam = p.GetValue(family), formulaText = p.GetValue(formulaArg);
            var f = fam switch { "poisson" => Family.Poisson, "gaussian" => Family.Gaussian, _ => Family.Binomial };
            string? engineName = p.GetValue(engine), query = p.GetValue(sql);
            if (query is not null && formulaText is null && path is not null && path.Contains('~')) (formulaText, path) = (path, null);
            if (engineName is not null || query is not null)
            {
                bool postgres = engineName is not null && engineName.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) && engineName.Contains("://");
                string? refuse = engineName is not null && !engineName.Equals("duckdb", StringComparison.OrdinalIgnoreCase) && !postgres
                        ? $"--engine takes duckdb (embedded) or a PostgreSQL URI postgres://user@host:port/database, not '{engineName}'"
                    : postgres && query is null ? "with a PostgreSQL engine give the rows as --sql \"SELECT … FROM table\" (the server reads no local file)"
                    : query is not null && path is not null ? "give the data as a file or as --sql, not both"
                    : query is null && path is null ? "give the data: a file or --sql \"SELECT …\""
                    : formulaText is null ? "--engine duckdb takes a formula: nabla glm data.parquet \"y ~ x1 + x2\" --family binomial --engine duckdb"
                    : fam is null ? "--family is required: binomial, poisson or gaussian"
                    : p.GetValue(cov) != "nonrobust" || p.GetValue(predict) is not null
                        ? "--cov and --predict need the rows in memory; leave out --engine and --sql for them"
                    : p.GetValue(weights) is not null && p.GetValue(freqWeights) is not null ? "give --weights (analytic) or --freq-weights (counts of rows), not both"
                    : path == "-" ? "--engine duckdb reads files, not standard input"
                    : null;
                if (refuse is not null) { stderr.WriteLine($"nabla glm: {refuse}"); return 2; }
                return FrameCliOptions.Guard(formulaText, stderr, () =>
                {
                    var source = query is not null ? Sql.SqlSource.Select(query) : Sql.SqlSource.File(path!);
                    Sql.SqlGlm.Result result;
                    var (connection, dialect) = Sql.SqlEngine.Open(engineName);
                    using (connection)
                    {
                        try { result = Sql.SqlGlm.Fit(connection, source, Formula.Parse(formulaText!), f, 100, dialect, p.GetValue(weights) ?? p.GetValue(freqWeights), p.GetValue(freqWeights) is not null); }
                        catch (System.Data.Common.DbException e) { throw new ArgumentException($"{(postgres ? "PostgreSQL" : "DuckDB")}: {e.Message.Split('\n')[0]}"); }
                    }
                    if (p.GetValue(showSql)) foreach (var q in result.Queries) stderr.WriteLine(q + ";");
                    if (p.GetValue(json)) stdout.WriteLine(GlmReport.Json(result.Fit, Formula.Parse(formulaText!).Response!.Name));
                    else GlmReport.Table(result.Fit, Formula.Parse(formulaText!).Response!.Name, stdout);
                    return 0;
                });
            }
            if (p.GetValue(explain) && fam is not null)
            {
                GlmReport.Explain(f, stdout);
                if (path is null) return 0;
                stdout.WriteLine();
            }
            string? usage = path is null ? "give the CSV file: nabla glm data.csv --target y --family binomial"
                : y is null && formulaText is null ? "give a formula (nabla glm data.csv \"y ~ x1 + x2\" --family binomial) or --target: the column to model"
                : formulaText is not null && (y is not null || p.GetValue(features) is not null || p.GetValue(noIntercept)) ? "a formula names the response and the terms itself; leave out --target, --features and --no-intercept (write - 1 in the formula for no intercept)"
                : fam is null ? "--family is required: binomial, poisson or gaussian"
                : p.GetValue(decimalSep) is not ("." or ",") ? $"--decimal takes '.' or ',', not '{p.GetValue(decimalSep)}'"
                : null;
            string? predictPath = p.GetValue(predict), outPath = p.GetValue(output);
            if (usage is null && outPath is not null && predictPath is null) usage = "--output needs --predict: the CSV to predict for";
            if (usage is null && outPath is not null && RegressCommand.OutputProblem(outPath, path, predictPath) is { } problem) usage = problem;
            CovarianceOptions covariance = CovarianceOptions.Classical;
            FrameOptions frameOpts = new();
            if (usage is null && predictPath == "-") usage = "--predict reads a file, not standard input";
            string? weightCol = p.GetValue(weights) ?? p.GetValue(freqWeights);
            bool frequency = p.GetValue(freqWeights) is not null;
            if (usage is null && p.GetValue(weights) is not null && frequency) usage = "give --weights (analytic) or --freq-weights (counts of rows), not both";
            try
            {
                if (usage is null)
                {
                    covariance = CovarianceOptions.Parse(p.GetValue(cov)!);
                    frameOpts = frameOptions.Read(p, p.GetValue(decimalSep)![0]);
                }
            }
            catch (ArgumentException e) { usage = e.Message; }
            if (usage is not null)
            {
                stderr.WriteLine($"nabla glm: {usage}");
                return 2;
            }
            if (formulaText is not null || weightCol is not null || covariance.Type != CovarianceType.Nonrobust || frameOptions.Given(p) || path == "-" || FrameReader.IsParquet(path!)
                || (outPath is not null && FrameReader.IsParquet(outPath)))
                return FrameGlm(path!, formulaText, y, p.GetValue(features), f, !p.GetValue(noIntercept), frameOpts, covariance, p.GetValue(json), predictPath, outPath, stdout, stderr, weightCol, frequency);
            try
            {
                var list = p.GetValue(features)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                GlmResult fit;
                try
                {
                    fit = Glm.FitCsv(path!, y!, list, new GlmOptions { Family = f, Intercept = !p.GetValue(noIntercept) }, p.GetValue(decimalSep)![0]);
                }
                catch (CsvDataException e) when (e.Message.Contains(" is not a number") || e.Message.Contains(": the value is missing"))
                {
                    // a text column (categorical) or a missing value: read the file as a frame
                    return FrameGlm(path!, null, y, p.GetValue(features), f, !p.GetValue(noIntercept), frameOpts, covariance, p.GetValue(json), predictPath, outPath, stdout, stderr, null, false);
                }
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

    private static int FrameGlm(string path, string? formulaText, string? target, string? features, Family family, bool intercept, FrameOptions frameOpts,
        CovarianceOptions covariance, bool json, string? predictPath, string? outPath, TextWriter stdout, TextWriter stderr, string? weightCol, bool frequency)
    {
        return FrameCliOptions.Guard(formulaText, stderr, () =>
        {
            var list = features?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var formula = formulaText is not null ? Formula.Parse(formulaText) : Formula.FromColumns(target!, list, intercept);
            var frame = FrameReader.Read(path, frameOpts);
            var (fit, design) = FormulaModels.FitGlm(frame, formula, new GlmOptions { Family = family, FrequencyWeights = frequency }, new DesignOptions { Missing = frameOpts.Missing, Weights = weightCol }, covariance);
            var summary = predictPath is not null && outPath is null ? stderr : stdout;
            if (json) summary.WriteLine(GlmReport.Json(fit, design.ResponseName));
            else GlmReport.Table(fit, design.ResponseName, summary);
            if (predictPath is not null)
            {
                FrameCliOptions.Predict(predictPath, frameOpts, nf => FormulaModels.Predict(fit, design, nf), outPath, stdout, summary);
            }
            return fit.Converged ? 0 : 1;
        });
    }
}
