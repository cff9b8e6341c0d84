using Nabla.Data;
namespace Nabla.Models;

/// <summary>
/// What the summary needs of the data: n, the total weight, the means of the d features and y (last), the centred sums
/// of squares Σ(x_j - x̄_j)² (y last), and whether the ones vector lies in the span of the feature columns.
/// </summary>
internal sealed record Moments(long N, double W, int D, double[] Means, double[] Squares, Func<bool> ImplicitConstant)
{
    /// <summary>The centred sum of squares of feature <paramref name="j"/> (of y for j = D).</summary>
    public double C(int j) => Squares[j];

    /// <summary>The moments of the sufficient statistics.</summary>
    public static Moments Of(GramSums g) =>
        new(g.N, g.W, g.D, g.Means, [.. Enumerable.Range(0, g.D + 1).Select(j => g.C(j, j))], () => Summaries.ImplicitConstant(g));
}

/// <summary>The statsmodels-style summary of a solution: standard errors, t, p, intervals, R², F, warnings.</summary>
internal static class Summaries
{
    /// <summary>
    /// Whether the ones vector lies in the span of the columns (e.g. every level of a categorical coded in full, as
    /// y ~ 0 + C(city)): then, as statsmodels' k_constant, R² is centred and the constant is not counted in df_model.
    /// ‖1 - X·a‖² = Σw - m'·(X'X)⁻¹·m with m = X'·1, from the sums.
    /// </summary>
    internal static bool ImplicitConstant(GramSums g)
    {
        int d = g.D;
        if (d == 0) return false;
        var (graw, _, _) = g.Design(false);
        var m = new double[d];
        for (int j = 0; j < d; j++) m[j] = g.W * g.Means[j];
        var chol = LinearAlgebra.Cholesky.Factor((double[])graw.Clone(), d, 1e-12);
        if (chol.Dependent.Count > 0) return false;
        var a = chol.Solve(m);
        double r = g.W;
        for (int j = 0; j < d; j++) r -= m[j] * a[j];
        return r <= 1e-10 * g.W;
    }

    public static RegressionResult Build(Moments g, RegressionOptions o, List<string> names, List<string> features,
        Solution sol, List<Dependency> dependencies, double rss, double scaledCond)
    {
        int d = g.D, off = o.Intercept ? 1 : 0, p = d + off;
        long n = g.N;
        // statsmodels counts a constant column among the features as a constant too (k_constant)
        bool hasConstant = o.Intercept || Enumerable.Range(0, d).Any(j => g.C(j) <= 1e-14 * (g.C(j) + g.W * g.Means[j] * g.Means[j]) && g.Means[j] != 0) || g.ImplicitConstant();
        double dfResid = n - sol.Rank;
        double dfModel = sol.Rank - (hasConstant ? 1 : 0);
        double tss = hasConstant ? g.C(d) : g.C(d) + g.W * g.Means[d] * g.Means[d];
        double r2 = 1 - rss / tss;
        double adj = 1 - (n - (hasConstant ? 1 : 0)) / dfResid * (1 - r2);
        double sigma2 = dfResid > 0 ? rss / dfResid : double.NaN; // no residual degrees of freedom: no estimate of σ²
        double fstat = dfModel > 0 && dfResid > 0 ? (tss - rss) / dfModel / sigma2 : double.NaN; // the constant alone: no F test
        double fp = dfModel > 0 ? Distributions.FUpperTail(fstat, dfModel, dfResid) : double.NaN;
        if (dfModel == 0 && hasConstant) { r2 = 0; adj = 0; } // the mean alone explains nothing, by definition (not -1e-16)
        bool inference = o.Ridge == 0 && dfResid > 0 && sol.Cov is not null;
        double tq = inference ? Distributions.StudentQuantile(0.975, dfResid) : double.NaN;
        var rows = new List<CoefficientRow>();
        for (int j = 0; j < p; j++)
        {
            double est = sol.W[j];
            if (!inference) { rows.Add(new CoefficientRow(names[j], est, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)); continue; }
            double se = Math.Sqrt(Math.Max(sigma2 * sol.Cov![j * p + j], 0));
            double t = est / se;
            rows.Add(new CoefficientRow(names[j], est, se, t, Distributions.StudentTwoSided(t, dfResid), est - tq * se, est + tq * se));
        }

        var warnings = new List<string>();
        if (dependencies.Count > 0)
        {
            string how = o.Ridge > 0 ? $"the ridge solution (λ = {LinearRegression.F(o.Ridge)}) is unique and is returned"
                : "w is not unique; the minimum-norm solution is returned";
            warnings.Add($"X'X is singular: rank {sol.Rank} < {p} columns; {how}");
            foreach (var dep in dependencies) warnings.Add($"linearly dependent columns: {dep.Text}");
        }
        else if (n < p)
            warnings.Add($"fewer rows ({n}) than columns ({p}): w is not unique");
        if (dependencies.Count == 0 && scaledCond > 1e8)
            warnings.Add($"X'X is ill-conditioned (condition estimate {LinearRegression.F(scaledCond)} after centring and scaling): " +
                (sol.Solver == "normal" ? $"the normal equations may lose about {Math.Round(Math.Log10(scaledCond))} of 16 digits" : $"solved by {sol.Solver} on the rows instead of the normal equations"));
        else if (dependencies.Count == 0 && scaledCond > LinearRegression.AutoSwitchCondition && sol.Solver != "normal")
            warnings.Add($"X'X is poorly conditioned (condition estimate {LinearRegression.F(scaledCond)}): solved by {sol.Solver} on the rows");
        if (sol.Condition > 1e15 && dependencies.Count == 0 && n >= p) // fewer rows than columns is said above
            warnings.Add($"the condition number {LinearRegression.F(sol.Condition)} is beyond what double precision supports");
        if (dfResid <= 0 && o.Ridge == 0) warnings.Add("no residual degrees of freedom: standard errors, t and p are undefined");
        if (o.Ridge > 0) warnings.Add("ridge: standard errors, t and p are not reported for the biased (penalised) estimator");
        warnings.AddRange(sol.Notes);

        return new RegressionResult
        {
            Coefficients = sol.W[off..],
            Intercept = o.Intercept ? sol.W[0] : 0,
            HasIntercept = o.Intercept,
            FeatureNames = features,
            Table = rows,
            N = n,
            D = d,
            Rank = sol.Rank,
            ConditionNumber = sol.Condition,
            RSquared = r2,
            AdjustedRSquared = adj,
            FStatistic = o.Ridge > 0 ? double.NaN : fstat,
            FPValue = o.Ridge > 0 ? double.NaN : fp,
            ResidualStdError = Math.Sqrt(sigma2),
            ResidualSumOfSquares = rss,
            DfModel = dfModel,
            DfResid = dfResid,
            Ridge = o.Ridge,
            Solver = sol.Solver,
            Dependencies = dependencies,
            Warnings = warnings,
            Bread = sol.Cov,
        };
    }
}
