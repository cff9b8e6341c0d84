using Nabla.Calculus;
using Nabla.Data;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Numerics;
using Nabla.Optimization;
using Nabla.Printing;
using Nabla.Semantics;

namespace Nabla.Models;

/// <summary>The distribution of the target given the features, with its canonical link.</summary>
public enum Family
{
    /// <summary>0/1 outcomes, logit link (logistic regression).</summary>
    Binomial,
    /// <summary>Non-negative counts, log link.</summary>
    Poisson,
    /// <summary>Real values, identity link (least squares, with the scale estimated).</summary>
    Gaussian,
}

/// <summary>Options of <see cref="Glm.Fit"/>.</summary>
public sealed record GlmOptions
{
    /// <summary>The distribution of the target (binomial unless asked).</summary>
    public Family Family { get; init; } = Family.Binomial;

    /// <summary>A leading column of ones, named "(intercept)".</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Feature names (x1, x2, … when absent).</summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>The target's name, for messages ("y" when absent).</summary>
    public string? TargetName { get; init; }

    /// <summary>The most Newton steps taken before giving up (the result then says it has not converged).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>The backend the value, gradient and Hessian are computed on (OpenBLAS where it loads, else managed, when null).</summary>
    public IBlas? Backend { get; init; }

    /// <summary>The intercept's name: "(intercept)", or statsmodels' "Intercept" for formula fits.</summary>
    public string InterceptName { get; init; } = "(intercept)";

    /// <summary>Classical (the inverse Hessian), or a sandwich: HC0, HC1, cluster.</summary>
    public CovarianceOptions? Covariance { get; init; }

    /// <summary>The cluster of each row (0-based) and their number, for cluster-robust errors.</summary>
    public (int[] Ids, int Count)? Clusters { get; init; }

    /// <summary>Weights of the rows' log-likelihood terms (binomial, Poisson): statsmodels' var_weights, or its freq_weights when <see cref="FrequencyWeights"/>.</summary>
    public double[]? Weights { get; init; }

    /// <summary>The weights count rows: the residual degrees of freedom are Σw - p (as statsmodels' freq_weights).</summary>
    public bool FrequencyWeights { get; init; }
}

/// <summary>A fitted generalised linear model with the summary statsmodels' GLM and R's glm print.</summary>
public sealed record GlmResult
{
    /// <summary>The family fitted.</summary>
    public required Family Family { get; init; }
    /// <summary>The coefficients' names: the intercept first when fitted, then the features.</summary>
    public required IReadOnlyList<string> Names { get; init; }
    /// <summary>One row per coefficient: estimate, standard error, z, p and the 95% interval.</summary>
    public required IReadOnlyList<CoefficientRow> Coefficients { get; init; }
    /// <summary>The number of rows fitted.</summary>
    public required int N { get; init; }
    /// <summary>The log-likelihood at the estimate.</summary>
    public required double LogLikelihood { get; init; }
    /// <summary>The log-likelihood of the intercept-only model.</summary>
    public required double NullLogLikelihood { get; init; }
    /// <summary>The deviance: twice the log-likelihood gap to the saturated model (for Gaussian, the residual sum of squares).</summary>
    public required double Deviance { get; init; }
    /// <summary>The deviance of the intercept-only model (for Gaussian, the total sum of squares).</summary>
    public required double NullDeviance { get; init; }
    /// <summary>-2·log-likelihood + 2·(number of coefficients), as statsmodels counts them.</summary>
    public required double Aic { get; init; }
    /// <summary>-2·log-likelihood + log(n)·(number of coefficients).</summary>
    public required double Bic { get; init; }
    /// <summary>McFadden's: 1 - log-likelihood / null log-likelihood.</summary>
    public required double PseudoR2 { get; init; }
    /// <summary>The dispersion: 1 for binomial and Poisson, RSS/(n - p) for Gaussian.</summary>
    public required double Scale { get; init; }
    /// <summary>The Newton steps taken.</summary>
    public required int Iterations { get; init; }
    /// <summary>Whether Newton's method reached its tolerance within the iteration limit.</summary>
    public required bool Converged { get; init; }
    /// <summary>What the reader should know about the fit: no convergence, (quasi-)separation, a singular Hessian.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
    /// <summary>The negative log-likelihood Nabla minimised, its gradient and its Hessian, as Nabla derived them.</summary>
    public required (string Loss, string Gradient, string Hessian) Derivation { get; init; }

    /// <summary>The feature columns, in the order of the coefficients after the intercept.</summary>
    public required IReadOnlyList<string> FeatureNames { get; init; }

    /// <summary>Whether an intercept was fitted.</summary>
    public required bool HasIntercept { get; init; }

    /// <summary>"nonrobust", "HC0", "HC1", "HC2", "HC3" or "cluster".</summary>
    public string Covariance { get; init; } = "nonrobust";

    /// <summary>For cluster-robust errors: the column and the number of clusters.</summary>
    public (string Column, int Groups)? Clusters { get; init; }

    /// <summary>Rows left out for missing values (formula fits).</summary>
    public int Dropped { get; init; }

    /// <summary>The formula fitted, when the model came from one.</summary>
    public string? Formula { get; init; }

    /// <summary>The residual degrees of freedom: n - p, or Σw - p with frequency weights.</summary>
    public double DfResid { get; init; }

    /// <summary>"frequency" or "analytic" when the rows were weighted, else null.</summary>
    public string? WeightsKind { get; init; }

    /// <summary>The mean response at these feature values: a probability (binomial), a rate (Poisson), a value (Gaussian).</summary>
    public double Predict(ReadOnlySpan<double> features)
    {
        if (features.Length != FeatureNames.Count) throw new ArgumentException($"{features.Length} feature values for {FeatureNames.Count} features");
        int off = HasIntercept ? 1 : 0;
        double eta = HasIntercept ? Coefficients[0].Estimate : 0;
        for (int j = 0; j < features.Length; j++) eta += Coefficients[j + off].Estimate * features[j];
        return Family switch
        {
            Family.Binomial => eta >= 0 ? 1 / (1 + Math.Exp(-eta)) : Math.Exp(eta) / (1 + Math.Exp(eta)),
            Family.Poisson => Math.Exp(eta),
            _ => eta,
        };
    }
}

/// <summary>
/// Maximum likelihood for binomial, Poisson and Gaussian GLMs by Newton's method on the negative log-likelihood's
/// Hessian that Nabla derives (for these canonical links Newton is IRLS); standard errors from the inverse Hessian
/// at the optimum (times the scale for Gaussian), z-tests and 95% intervals from the normal distribution.
/// </summary>
public static class Glm
{
    /// <summary>The negative log-likelihood with weights v (each row's term times its weight).</summary>
    public static string WeightedLossOf(Family f) => f switch
    {
        Family.Binomial => "v'*softplus(X*w) - (v.*y)'*(X*w)",
        Family.Poisson => "v'*exp(X*w) - (v.*y)'*(X*w)",
        _ => throw new ArgumentException("weights for the Gaussian family are weighted least squares: use nabla regress --weights"),
    };

    /// <summary>The negative log-likelihood of the family (for Gaussian, half the residual sum of squares) in the language, in X, w and y.</summary>
    public static string LossOf(Family f) => f switch
    {
        Family.Binomial => "sum(softplus(X*w)) - y'*(X*w)",
        Family.Poisson => "sum(exp(X*w)) - y'*(X*w)",
        _ => "norm2(X*w-y)^2/2",
    };

    private static (BoundExpression Bound, Expr Gradient, Expr Hessian) Bind(Family f, bool weighted = false)
    {
        var declarations = new Dictionary<string, VarType> { ["X"] = new(VarKind.Matrix), ["w"] = new(VarKind.Vector), ["y"] = new(VarKind.Vector), ["v"] = new(VarKind.Vector) };
        var bound = Binder.Bind(weighted ? WeightedLossOf(f) : LossOf(f), new BindOptions { Declarations = declarations, PreferScalar = true });
        var w = bound.Variable("w")!;
        return (bound, Derivatives.Derive(bound.Root, w, DerivativeKind.Gradient), Derivatives.Derive(bound.Root, w, DerivativeKind.Hessian));
    }

    /// <summary>The convexity certificate of the family's negative log-likelihood in w (from the Hessian Nabla derives).</summary>
    public static Convexity.ConvexityResult Certificate(Family f)
    {
        var (bound, _, _) = Bind(f);
        return Convexity.ConvexityAnalysis.Analyze(bound.Root, bound.Variable("w")!, bound.Variables);
    }

    /// <summary>The family's negative log-likelihood and the gradient and Hessian Nabla derives for it, as text.</summary>
    public static (string Loss, string Gradient, string Hessian) Derive(Family f)
    {
        var (_, g, h) = Bind(f);
        return (LossOf(f), ResultText.Readable(g), ResultText.Readable(h));
    }

    /// <summary>Fits y (n) on the row-major n×d features.</summary>
    public static GlmResult Fit(double[] x, int n, int d, double[] y, GlmOptions? options = null)
    {
        var o = options ?? new GlmOptions();
        if (n == 0) throw new ArgumentException("there are no rows to fit");
        if (x.Length != (long)n * d || y.Length != n) throw new ArgumentException($"{x.Length} feature values and {y.Length} targets for {n} rows of {d} features");
        var features = o.FeatureNames?.ToList() ?? [.. Enumerable.Range(1, d).Select(j => $"x{j}")];
        string target = o.TargetName ?? "y";
        CheckSupport(o.Family, y, target);
        int off = o.Intercept ? 1 : 0, p = d + off;
        var names = o.Intercept ? [o.InterceptName, .. features] : features;
        if (n <= p) throw new ArgumentException($"{n} rows cannot fit {p} coefficients: a GLM needs more rows than coefficients");
        // Dependent columns have no unique coefficients: the least-squares analysis of the same design names them.
        var ols = LinearRegression.Fit(x, n, d, y, new RegressionOptions { Intercept = o.Intercept, FeatureNames = features, TargetName = target, Solver = Solver.Normal });
        if (ols.Dependencies.Count > 0)
            throw new ArgumentException($"the columns are linearly dependent: {string.Join("; ", ols.Dependencies.Select(dep => dep.Text))}; drop one (--features)");
        var warnings = new List<string>();
        if (o.Family == Family.Binomial && Separation(x, n, d, y, features, warnings) is { } perfect)
            throw new ArgumentException(perfect);

        // The design with its column of ones, copied in parallel row blocks into memory the runtime does not zero first
        // (every entry is written): a 10⁶×50 design is 400 MB, and its first touch is most of the copy's cost.
        if ((long)n * p > Array.MaxLength) throw new ArgumentException($"{n} rows × {p} coefficients is more than one array holds ({Array.MaxLength:N0} entries): fit it pushed down (--engine duckdb)");
        var design = GC.AllocateUninitializedArray<double>(n * p);
        Parallel.For(0, (n + 8191) / 8192, b =>
        {
            int i1 = Math.Min(n, (b + 1) * 8192);
            for (int i = b * 8192; i < i1; i++)
            {
                if (o.Intercept) design[(long)i * p] = 1;
                Array.Copy(x, (long)i * d, design, (long)i * p + off, d);
            }
        });
        var v = o.Weights;
        if (v is not null)
        {
            if (v.Length != n) throw new ArgumentException($"{v.Length} weights for {n} rows");
            foreach (var wi in v) if (!(wi > 0) || double.IsInfinity(wi)) throw new ArgumentException($"the weights must be finite and > 0, not {wi:G6}");
            if (o.Family == Family.Gaussian) throw new ArgumentException("weights for the Gaussian family are weighted least squares: use nabla regress --weights");
            if (o.FrequencyWeights && v.Any(wi => wi != Math.Floor(wi))) throw new ArgumentException("frequency weights count rows: they must be whole numbers (for other weights use --weights)");
        }
        var (bound, gradient, hessian) = Bind(o.Family, v is not null);
        var values = new Dictionary<string, Tensor>
        {
            ["X"] = Tensor.Matrix(design, n, p), ["y"] = Tensor.Vector(y), ["w"] = Tensor.Vector(new double[p]),
        };
        if (v is not null) values["v"] = Tensor.Vector(v);
        var backend = o.Backend ?? Blas.Create(BlasBackend.Native);
        var plan = new CompiledPlan([bound.Root, gradient], backend, variables: bound.Variables);
        var hplan = new CompiledPlan([hessian], backend, variables: bound.Variables);
        double Fg(ReadOnlySpan<double> v, Span<double> g) { v.CopyTo(values["w"].Data); return plan.ValueAndGradient(values, g); }
        // The derived Hessian is X'*diag(v)*X: v by a plan, the weighted cross-products by the Gram kernel (one pass over
        // X, as regress's); any other form, or a negative weight, goes through the Hessian's own plan.
        CompiledPlan? weightsPlan = hessian is Mul { Factors: [Transpose { X: Var xt }, Call { Op.Name: "diag" } dg, Var xr] } && xt.Name == "X" && xr.Name == "X"
            && dg.Arg.Shape.Kind == ShapeKind.Vector ? new CompiledPlan([dg.Arg], backend, variables: bound.Variables) : null;
        var weights = new double[n];
        var hbuf = new double[p * p];
        void H(ReadOnlySpan<double> v, Span<double> h)
        {
            v.CopyTo(values["w"].Data);
            if (weightsPlan is not null)
            {
                weightsPlan.Evaluate(values, weights);
                if (GramAccumulator.WeightedGram(design, n, p, weights, hbuf)) { hbuf.CopyTo(h); return; }
            }
            hplan.Evaluate(values, h);
        }

        // The start IRLS takes: the intercept at the link of the mean, the rest 0.
        var start = new double[p];
        double mean = v is null ? y.Average() : y.Select((yi, i) => yi * v[i]).Sum() / v.Sum();
        if (o.Intercept && o.Family == Family.Binomial) start[0] = Math.Log(mean / (1 - mean));
        if (o.Intercept && o.Family == Family.Poisson && mean > 0) start[0] = Math.Log(mean);
        if (o.Intercept && o.Family == Family.Gaussian) start[0] = mean;
        var g0 = new double[p];
        Fg(start, g0);
        double scaleG = Math.Max(1, g0.Max(Math.Abs));
        var run = Minimizer.Run(Fg, start, new MinimizeOptions { Method = Method.Newton, GradientTolerance = 1e-11 * scaleG, MaxIterations = o.MaxIterations }, H);
        // At the limit of the arithmetic Newton's step can no longer lower the value: with a gradient that small the fit is done.
        bool converged = run.Converged || (run.Reason == StopReason.Stalled && run.GradientNorm <= 1e-7 * scaleG);
        if (!converged) warnings.Add($"the fit did not converge ({run.Message}); the coefficients are not the maximum-likelihood estimates");
        var coef = run.X;

        var eta = new double[n];
        backend.Gemv(false, n, p, 1, design, p, coef, 0, eta);
        var (ll, ll0, dev, dev0, scale) = Likelihoods(o.Family, y, eta, n, p, v);
        if (o.Family == Family.Binomial)
        {
            int extreme = eta.Count(e => Math.Abs(e) > 36); // a fitted probability within 2e-16 of 0 or 1
            if (extreme > 0)
                warnings.Add($"{extreme} fitted probabilit{(extreme == 1 ? "y is" : "ies are")} numerically 0 or 1: the classes are (quasi-)separated by a combination of the features; the coefficients and their standard errors are not reliable");
        }

        var h = new double[p * p];
        H(coef, h);
        var chol = Cholesky.Factor(h, p, 0);
        var cov = chol.Rank == p ? chol.Inverse() : null;
        if (cov is null) warnings.Add("the Hessian at the estimate is singular: no standard errors");
        var covType = o.Covariance ?? CovarianceOptions.Classical;
        double seScale = scale;
        if (covType.Type is CovarianceType.HC2 or CovarianceType.HC3)
            throw new ArgumentException($"{covType.Label} is defined here for least squares only; for a GLM use --cov HC0, HC1 or cluster:column (statsmodels' GLM silently answers HC2 and HC3 with HC0)");
        if (cov is not null && covType.Type != CovarianceType.Nonrobust)
        {
            if (covType.Type == CovarianceType.Cluster && (o.Clusters is null || o.Clusters.Value.Count < 2))
                throw new ArgumentException($"cluster-robust errors need at least 2 clusters; '{covType.ClusterColumn}' has {o.Clusters?.Count ?? 0} in the rows used");
            // the score of row i is (y_i - μ_i)·x̃_i for these canonical links; the Hessian's weight μ'(η) weighs the leverage
            var mu = new double[n];
            var var = new double[n];
            for (int i = 0; i < n; i++)
            {
                double e = eta[i];
                (mu[i], var[i]) = o.Family switch
                {
                    Family.Binomial => (e >= 0 ? 1 / (1 + Math.Exp(-e)) : Math.Exp(e) / (1 + Math.Exp(e)), 0),
                    Family.Poisson => (Math.Exp(e), 0),
                    _ => (e, 1),
                };
                if (o.Family == Family.Binomial) var[i] = mu[i] * (1 - mu[i]);
                if (o.Family == Family.Poisson) var[i] = mu[i];
            }
            // the loss is the negative log-likelihood (Gaussian: RSS/2), so the inverse Hessian is the bread for every family
            if (v is not null && !o.FrequencyWeights)
                throw new ArgumentException("robust standard errors with analytic (variance) weights are not given: statsmodels itself warns they are not fully supported; with weights that count rows use --freq-weights, or leave out --cov");
            // with frequency weights each row stands for v_i rows: its score sums v_i·(y_i - μ_i)·x̃_i, its squares v_i·(y_i - μ_i)²
            cov = Sandwich.Covariance(n, p, p, cov, (from, count, dest) => Array.Copy(design, (long)from * p, dest, 0, (long)count * p),
                i => (v?[i] ?? 1) * (y[i] - mu[i]), i => var[i], covType.Type, o.Clusters, v is null ? null : i => 1 / v[i]);
            seScale = 1;
        }
        const double z975 = 1.959963984540054;
        var rows = new List<CoefficientRow>();
        for (int j = 0; j < p; j++)
        {
            double se = cov is null ? double.NaN : Math.Sqrt(seScale * cov[j * p + j]);
            double z = coef[j] / se;
            rows.Add(new CoefficientRow(names[j], coef[j], se, z, NormalTwoSided(z), coef[j] - z975 * se, coef[j] + z975 * se));
        }
        return new GlmResult
        {
            Family = o.Family, Names = names, Coefficients = rows, N = n,
            LogLikelihood = ll, NullLogLikelihood = ll0, Deviance = dev, NullDeviance = dev0,
            Aic = -2 * ll + 2 * p, Bic = -2 * ll + p * Math.Log(n), PseudoR2 = 1 - ll / ll0, Scale = scale,
            Iterations = run.Iterations, Converged = converged, Warnings = warnings,
            Derivation = (LossOf(o.Family), ResultText.Readable(gradient), ResultText.Readable(hessian)),
            FeatureNames = features, HasIntercept = o.Intercept,
            Covariance = covType.Label,
            DfResid = (v is not null && o.FrequencyWeights ? v.Sum() : n) - p,
            WeightsKind = v is null ? null : o.FrequencyWeights ? "frequency" : "analytic",
            Clusters = covType.Type == CovarianceType.Cluster ? (covType.ClusterColumn!, o.Clusters!.Value.Count) : null,
        };
    }

    /// <summary>Fits from a CSV: the target column and the feature columns (all others when null).</summary>
    public static GlmResult FitCsv(string path, string target, IReadOnlyList<string>? features, GlmOptions options, char decimalSeparator = '.')
    {
        var (_, rows, cols) = CsvSource.Read(path, target, features, keepAll: true, keepSmall: false, progress: null, decimalSeparator, sums: false);
        return Fit(rows!.X, rows.N, rows.D, rows.Y, options with { FeatureNames = cols.FeatureNames, TargetName = cols.TargetName });
    }

    private static void CheckSupport(Family f, double[] y, string target)
    {
        for (int i = 0; i < y.Length; i++)
        {
            double v = y[i];
            if (f == Family.Binomial && v is not (0 or 1))
                throw new ArgumentException($"the binomial family needs a target of 0s and 1s; {target} is {v:G6} in row {i + 1}");
            if (f == Family.Poisson && !(v >= 0 && v == Math.Floor(v)))
                throw new ArgumentException($"the Poisson family needs a target of counts (whole numbers ≥ 0); {target} is {v:G6} in row {i + 1}");
        }
        if (f == Family.Binomial && (y.All(v => v == 0) || y.All(v => v == 1)))
            throw new ArgumentException($"{target} is {y[0]:G1} in every row: there is nothing to tell apart");
        if (f == Family.Poisson && y.All(v => v == 0))
            throw new ArgumentException($"{target} is 0 in every row: the Poisson rate's maximum-likelihood estimate is 0, where the log link is -∞");
    }

    /// <summary>
    /// A feature that alone separates the classes: perfect (a threshold puts every 1 on one side, every 0 on the other;
    /// returned as the refusal, since no maximum-likelihood estimate exists) or quasi-complete (the two touch at the
    /// threshold; a warning).
    /// </summary>
    private static string? Separation(double[] x, int n, int d, double[] y, IReadOnlyList<string> names, List<string> warnings)
    {
        // Each class's range of each feature, in one pass over the rows.
        var mins1 = new double[d]; var maxs1 = new double[d]; var mins0 = new double[d]; var maxs0 = new double[d];
        Array.Fill(mins1, double.PositiveInfinity); Array.Fill(mins0, double.PositiveInfinity);
        Array.Fill(maxs1, double.NegativeInfinity); Array.Fill(maxs0, double.NegativeInfinity);
        for (int i = 0; i < n; i++)
        {
            var row = x.AsSpan((int)((long)i * d), d);
            var (mins, maxs) = y[i] == 1 ? (mins1, maxs1) : (mins0, maxs0);
            // element-wise over the row, vectorised (the values are finite: the readers refuse NaN and infinities)
            System.Numerics.Tensors.TensorPrimitives.Min(mins, row, mins);
            System.Numerics.Tensors.TensorPrimitives.Max(maxs, row, maxs);
        }
        for (int j = 0; j < d; j++)
        {
            double min1 = mins1[j], max1 = maxs1[j], min0 = mins0[j], max0 = maxs0[j];
            if (max0 < min1 || max1 < min0)
            {
                bool up = max0 < min1;
                double t = up ? (max0 + min1) / 2 : (max1 + min0) / 2;
                return $"perfect separation: {names[j]} alone separates the classes ({(up ? "y = 1 exactly where" : "y = 1 exactly where")} {names[j]} {(up ? ">" : "<")} {t:G6}), so the likelihood has no maximum (the coefficient runs to {(up ? "+" : "-")}∞); drop {names[j]}, or fit a penalised loss with nabla fit";
            }
            if (max0 == min1 || max1 == min0)
                warnings.Add($"quasi-complete separation: {names[j]} separates the classes except where it equals {(max0 == min1 ? max0 : max1):G6}; its coefficient and standard error are not reliable");
        }
        return null;
    }

    private static (double Ll, double Ll0, double Dev, double Dev0, double Scale) Likelihoods(Family f, double[] y, double[] eta, int n, int p, double[]? v = null)
    {
        if (v is not null) return WeightedLikelihoods(f, y, eta, v);
        double mean = y.Average();
        switch (f)
        {
            case Family.Binomial:
            {
                double ll = 0;
                for (int i = 0; i < n; i++) ll += y[i] * eta[i] - Softplus(eta[i]);
                // The null model is the constant alone, with or without an intercept in the model (as statsmodels and R take it).
                double ll0 = n * (mean * Math.Log(mean) + (1 - mean) * Math.Log(1 - mean));
                return (ll, ll0, -2 * ll, -2 * ll0, 1);
            }
            case Family.Poisson:
            {
                double ll = 0, dev = 0, lgam = 0, dev0 = 0;
                double mu0 = mean;
                for (int i = 0; i < n; i++)
                {
                    double mu = Math.Exp(eta[i]);
                    double lg = Distributions.LogGamma(y[i] + 1);
                    lgam += lg;
                    ll += y[i] * eta[i] - mu - lg;
                    dev += 2 * ((y[i] > 0 ? y[i] * Math.Log(y[i] / mu) : 0) - (y[i] - mu));
                    dev0 += 2 * ((y[i] > 0 ? y[i] * Math.Log(y[i] / mu0) : 0) - (y[i] - mu0));
                }
                double ll0 = 0;
                for (int i = 0; i < n; i++) ll0 += y[i] * Math.Log(mu0) - mu0;
                return (ll, ll0 - lgam, dev, dev0, 1);
            }
            default:
            {
                double rss = 0, tss = 0;
                for (int i = 0; i < n; i++) { rss += (y[i] - eta[i]) * (y[i] - eta[i]); tss += (y[i] - mean) * (y[i] - mean); }
                double scale = rss / (n - p);
                double ll = -n / 2.0 * (Math.Log(2 * Math.PI * rss / n) + 1);
                // The null model's log-likelihood at the fitted model's scale, as statsmodels' GLM reports it.
                double ll0 = -n / 2.0 * Math.Log(2 * Math.PI * scale) - tss / (2 * scale);
                return (ll, ll0, rss, tss, scale);
            }
        }
    }

    /// <summary>The log-likelihood and deviance with each row's term times its weight (binomial and Poisson).</summary>
    private static (double Ll, double Ll0, double Dev, double Dev0, double Scale) WeightedLikelihoods(Family f, double[] y, double[] eta, double[] v)
    {
        double sw = 0, swy = 0;
        for (int i = 0; i < y.Length; i++) { sw += v[i]; swy += v[i] * y[i]; }
        double mean = swy / sw;
        double ll = 0, ll0 = 0, dev = 0, dev0 = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (f == Family.Binomial)
            {
                ll += v[i] * (y[i] * eta[i] - Softplus(eta[i]));
                ll0 += v[i] * (y[i] * Math.Log(mean) + (1 - y[i]) * Math.Log(1 - mean));
            }
            else
            {
                double mu = Math.Exp(eta[i]), lg = Distributions.LogGamma(y[i] + 1);
                ll += v[i] * (y[i] * eta[i] - mu - lg);
                ll0 += v[i] * (y[i] * Math.Log(mean) - mean - lg);
                dev += 2 * v[i] * ((y[i] > 0 ? y[i] * Math.Log(y[i] / mu) : 0) - (y[i] - mu));
                dev0 += 2 * v[i] * ((y[i] > 0 ? y[i] * Math.Log(y[i] / mean) : 0) - (y[i] - mean));
            }
        }
        if (f == Family.Binomial) { dev = -2 * ll; dev0 = -2 * ll0; }
        return (ll, ll0, dev, dev0, 1);
    }

    private static double Softplus(double v) => v > 0 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v));

    /// <summary>P(|Z| ≥ |z|) for a standard normal Z: erfc(|z|/√2).</summary>
    public static double NormalTwoSided(double z) => double.IsNaN(z) ? double.NaN : Ops.Special.Erfc(Math.Abs(z) / Math.Sqrt(2));
}
