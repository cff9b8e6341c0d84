using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Nabla.LinearAlgebra;
using Nabla.Models;
using Nabla.Models.Formulas;

namespace Nabla.Sql;

/// <summary>
/// A logistic or Poisson GLM pushed down to DuckDB (issue "Data beyond memory"): Newton's method on the negative
/// log-likelihood Nabla derives for the family (the loss Σ softplus(η) - yη or Σ exp(η) - yη with η = X*w), each
/// iteration one aggregate query that returns the loss, its gradient X'(μ - y) and its Hessian X'*diag(μ')*X at the
/// current coefficients (μ = sigmoid(η), μ' = μ(1-μ); μ = μ' = exp(η)), written stably in SQL (softplus as
/// max(η, 0) + ln(1 + exp(-|η|))). Nabla takes the step (halved while the loss does not fall), stops where the gradient
/// vanishes to 1e-11 of its start, as the in-memory glm does, and reports the same table: coefficients, standard errors
/// from the inverse Hessian, log-likelihoods, deviances, AIC and BIC from one more query. Dependent columns are named
/// first from the least-squares sums of the same design. The formula terms are those of <see cref="SqlRegression"/>.
/// </summary>
public static class SqlGlm
{
    /// <summary>What a run did.</summary>
    /// <param name="Fit">The fit, as the in-memory glm reports it.</param>
    /// <param name="Queries">The SQL it sent, in order (one aggregate query per Newton step, and the checks).</param>
    public sealed record Result(GlmResult Fit, IReadOnlyList<string> Queries);

    /// <summary>Fits <paramref name="formula"/> in the <paramref name="family"/> on the rows of <paramref name="source"/> in an embedded DuckDB.</summary>
    public static Result Fit(SqlSource source, Formula formula, Family family, int maxIterations = 100, string? weights = null, bool frequency = false)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return Fit(connection, source, formula, family, maxIterations, null, weights, frequency);
    }

    /// <summary>
    /// The same on an open connection of the given dialect (DuckDB by default; PostgreSQL through Npgsql). With
    /// <paramref name="weights"/> each row's log-likelihood term is weighted (statsmodels' var_weights; with
    /// <paramref name="frequency"/>, freq_weights: whole numbers that count rows, df residual = Σw - p).
    /// </summary>
    public static Result Fit(DbConnection connection, SqlSource source, Formula formula, Family family, int maxIterations = 100, SqlDialect? dialect = null,
        string? weights = null, bool frequency = false)
    {
        dialect ??= SqlDialect.DuckDb;
        if (family is not (Family.Binomial or Family.Poisson))
            throw new ArgumentException("the Gaussian family is least squares: use nabla regress --engine duckdb");
        // the least-squares pass names dependent columns, counts the rows and gives the response's mean
        var ols = SqlRegression.Fit(connection, source, formula, new RegressionOptions { Solver = Solver.Normal }, weights, dialect: dialect);
        var queries = new List<string>(ols.Queries);
        if (ols.Fit.Dependencies.Count > 0)
            throw new ArgumentException($"the columns are linearly dependent: {string.Join("; ", ols.Fit.Dependencies.Select(dep => dep.Text))}; drop one");
        var design = SqlRegression.Design(connection, source, formula, weights, queries, dialect);
        var exprs = design.Exprs;
        string v = design.Weight; // 1.0 without weights
        if (frequency && weights is not null && Count(connection, $"SELECT COUNT(*) {design.From} AND {v} <> FLOOR({v})", queries) > 0)
            throw new ArgumentException("frequency weights count rows: they must be whole numbers (for other weights use --weights)");
        int d = design.Columns.Count, p = d + (formula.Intercept ? 1 : 0);
        string y = exprs[d];
        long n = ols.Rows;
        if (n <= p) throw new ArgumentException($"{n} rows cannot fit {p} coefficients: a GLM needs more rows than coefficients");
        // the response's support
        string outside = family == Family.Binomial ? $"NOT (({y}) = 0.0 OR ({y}) = 1.0)" : $"(({y}) < 0.0 OR ({y}) <> FLOOR({y}))";
        if (Count(connection, $"SELECT COUNT(*) {design.From} AND {outside}", queries) > 0)
            throw new ArgumentException(family == Family.Binomial
                ? $"the binomial family needs a 0/1 response; {formula.Response!.Name} has other values"
                : $"the Poisson family needs counts (whole numbers ≥ 0); {formula.Response!.Name} has other values");
        var sums = Row(connection, $"SELECT SUM({v}*({y})), SUM({v}) {design.From}", queries);
        double sw = sums[1], mean = sums[0] / sw;
        if (family == Family.Binomial && (mean <= 0 || mean >= 1))
            throw new ArgumentException($"{formula.Response!.Name} is always {(mean <= 0 ? 0 : 1)}: the likelihood has no maximum");
        if (family == Family.Poisson && mean <= 0)
            throw new ArgumentException($"{formula.Response!.Name} is always 0: the Poisson likelihood has no maximum");

        var cols = (formula.Intercept ? new[] { "1.0" } : []).Concat(exprs.Take(d)).ToList();
        string Eta(double[] w)
        {
            var sb = new StringBuilder();
            for (int j = 0; j < p; j++)
            {
                if (j > 0) sb.Append(" + ");
                sb.Append($"{dialect.Number(w[j])}*({cols[j]})");
            }
            return sb.ToString();
        }
        // one query: the loss, the gradient X'(μ - y), the Hessian's upper triangle X'*diag(μ')*X
        (double Loss, double[] G, double[] H) Evaluate(double[] w)
        {
            string eta = $"({Eta(w)})";
            string mu = family == Family.Binomial ? $"(CASE WHEN {eta} >= 0 THEN 1.0/(1.0 + EXP(-{eta})) ELSE EXP({eta})/(1.0 + EXP({eta})) END)" : $"EXP({eta})";
            string loss = family == Family.Binomial ? $"GREATEST({eta}, 0.0) + LN(1.0 + EXP(-ABS({eta}))) - ({y})*{eta}" : $"EXP({eta}) - ({y})*{eta}";
            string dmu = family == Family.Binomial ? $"{mu}*(1.0 - {mu})" : mu;
            var sb = new StringBuilder($"SELECT SUM({v}*({loss}))");
            for (int j = 0; j < p; j++) sb.Append($", SUM({v}*({cols[j]})*({mu} - ({y})))");
            for (int j = 0; j < p; j++)
                for (int k = j; k < p; k++) sb.Append($", SUM({v}*({cols[j]})*({cols[k]})*{dmu})");
            sb.Append(' ').Append(design.From);
            var r = Row(connection, $"SELECT * FROM ({sb}) AS t", queries);
            var g = new double[p];
            var h = new double[p * p];
            for (int j = 0; j < p; j++) g[j] = r[1 + j];
            int at = 1 + p;
            for (int j = 0; j < p; j++)
                for (int k = j; k < p; k++) h[j * p + k] = h[k * p + j] = r[at++];
            return (r[0], g, h);
        }

        // Newton from IRLS's start (the intercept at the link of the mean, the rest 0), halving a step that does not lower the loss
        var w = new double[p];
        if (formula.Intercept) w[0] = family == Family.Binomial ? Math.Log(mean / (1 - mean)) : Math.Log(mean);
        var (f, grad, hess) = Evaluate(w);
        double scaleG = Math.Max(1, grad.Max(Math.Abs));
        int iterations = 0;
        bool converged = false;
        var warnings = new List<string>();
        for (; iterations < maxIterations; iterations++)
        {
            if (grad.Max(Math.Abs) <= 1e-11 * scaleG) { converged = true; break; }
            var step = Solve(hess, grad, p) ?? throw new ArgumentException("the Hessian is singular: the classes may be separated by the features");
            // the Newton decrement g'H⁻¹g is twice the decrease the step promises: below the rounding of the loss's sum
            // (the engine adds the rows in its own order), no step can do better, and the fit is done
            double decrement = grad.Select((gj, j) => gj * step[j]).Sum();
            if (decrement <= 1e-13 * Math.Max(1, Math.Abs(f))) { converged = true; break; }
            double t = 1;
            bool improved = false;
            for (int half = 0; half < 30; half++, t /= 2)
            {
                var trial = w.Select((wj, j) => wj - t * step[j]).ToArray();
                var next = Evaluate(trial);
                if (next.Loss <= f || double.IsNaN(f))
                {
                    (w, f, grad, hess) = (trial, next.Loss, next.G, next.H);
                    improved = true;
                    break;
                }
            }
            if (!improved)
            {
                converged = grad.Max(Math.Abs) <= 1e-7 * scaleG; // at the limit of the arithmetic the step can no longer lower the loss
                break;
            }
        }
        if (!converged) warnings.Add($"the fit did not converge in {iterations} Newton steps; the coefficients are not the maximum-likelihood estimates");

        // the likelihoods at the estimate and of the null model (the constant alone, as the in-memory fit takes it)
        string etaF = $"({Eta(w)})";
        string lmean = dialect.Number(Math.Log(mean)), m0 = dialect.Number(mean);
        double ll, ll0, dev, dev0;
        if (family == Family.Binomial)
        {
            ll = -f;
            ll0 = sw * (mean * Math.Log(mean) + (1 - mean) * Math.Log(1 - mean)); // Σ v (y log m + (1-y) log(1-m)) with m the weighted mean
            (dev, dev0) = (-2 * ll, -2 * ll0);
        }
        else
        {
            // Σ log(y!) from the counts of each value (not every engine has lgamma)
            double lgam = 0;
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = $"SELECT {y} AS nabla_y, SUM({v}) {design.From} GROUP BY nabla_y";
                queries.Add(cmd.CommandText);
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                    lgam += Convert.ToDouble(reader.GetValue(1), CultureInfo.InvariantCulture) * Distributions.LogGamma(Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture) + 1);
            }
            var r = Row(connection, $"SELECT SUM({v}*(({y})*{etaF} - EXP({etaF}))), SUM({v}*(({y})*{lmean} - {m0})), " +
                $"SUM({v}*2.0*((CASE WHEN ({y}) > 0 THEN ({y})*LN(({y})/EXP({etaF})) ELSE 0.0 END) - (({y}) - EXP({etaF})))), " +
                $"SUM({v}*2.0*((CASE WHEN ({y}) > 0 THEN ({y})*LN(({y})/{m0}) ELSE 0.0 END) - (({y}) - {m0}))) {design.From}", queries);
            (ll, ll0, dev, dev0) = (r[0] - lgam, r[1] - lgam, r[2], r[3]);
        }

        var chol = Cholesky.Factor(hess, p, 0);
        var cov = chol.Rank == p ? chol.Inverse() : null;
        if (cov is null) warnings.Add("the Hessian at the estimate is singular: no standard errors");
        var names = (formula.Intercept ? new[] { "Intercept" } : []).Concat(design.Columns.Select(c => c.Name)).ToList();
        const double z975 = 1.959963984540054;
        var rows = new List<CoefficientRow>();
        for (int j = 0; j < p; j++)
        {
            double se = cov is null ? double.NaN : Math.Sqrt(cov[j * p + j]);
            double z = w[j] / se;
            rows.Add(new CoefficientRow(names[j], w[j], se, z, Glm.NormalTwoSided(z), w[j] - z975 * se, w[j] + z975 * se));
        }
        var (lossText, gradientText, hessianText) = Glm.Derive(family);
        var fit = new GlmResult
        {
            Family = family, Names = names, Coefficients = rows, N = (int)Math.Min(int.MaxValue, n),
            LogLikelihood = ll, NullLogLikelihood = ll0, Deviance = dev, NullDeviance = dev0,
            Aic = -2 * ll + 2 * p, Bic = -2 * ll + p * Math.Log(n), PseudoR2 = 1 - ll / ll0, Scale = 1,
            Iterations = iterations, Converged = converged, Warnings = warnings,
            Derivation = (lossText, gradientText, hessianText),
            FeatureNames = design.Columns.Select(c => c.Name).ToList(), HasIntercept = formula.Intercept,
            DfResid = (weights is not null && frequency ? sw : n) - p, Dropped = (int)Math.Min(int.MaxValue, ols.Dropped), Formula = formula.Text,
            WeightsKind = weights is null ? null : frequency ? "frequency" : "analytic",
        };
        return new Result(fit, queries);
    }

    /// <summary>H⁻¹ g by Cholesky (H is the positive definite Hessian of a convex loss), null where it is singular.</summary>
    private static double[]? Solve(double[] h, double[] g, int p)
    {
        var chol = Cholesky.Factor((double[])h.Clone(), p, 0);
        if (chol.Rank < p) return null;
        var inv = chol.Inverse();
        var x = new double[p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) x[i] += inv[i * p + j] * g[j];
        return x;
    }

    private static long Count(DbConnection c, string sql, List<string> queries) => (long)Scalar(c, sql, queries);

    private static double Scalar(DbConnection c, string sql, List<string> queries) => Row(c, sql, queries)[0];

    private static double[] Row(DbConnection c, string sql, List<string> queries)
    {
        queries.Add(sql);
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException("an aggregate query returned no row");
        var row = new double[reader.FieldCount];
        for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? 0 : Convert.ToDouble(reader.GetValue(i), CultureInfo.InvariantCulture);
        return row;
    }
}
