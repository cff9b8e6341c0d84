using Nabla.Data;
using Nabla.LinearAlgebra;
using Models = Nabla.Models;

namespace Nabla.Models.Formulas;

/// <summary>
/// Models fitted through a formula on a frame: the design built once (patsy's coding, missing rows dropped), then
/// least squares (weighted, with robust or clustered errors) or a GLM on it; predictions through the same coding.
/// </summary>
public static class FormulaModels
{
    private const int Chunk = 8192;

    /// <summary>Least squares of the formula's response on its design (WLS with <see cref="DesignOptions.Weights"/>).</summary>
    public static (RegressionResult Fit, Design Design) Regress(Frame frame, Formula formula, RegressionOptions? options = null,
        DesignOptions? designOptions = null, CovarianceOptions? covariance = null)
    {
        options ??= new RegressionOptions();
        covariance ??= CovarianceOptions.Classical;
        var dopt = (designOptions ?? new DesignOptions()) with { Cluster = covariance.ClusterColumn };
        var design = Design.Build(frame, formula, dopt);
        bool weighted = design.Weights is not null;
        if (weighted && options.Solver is Solver.Qr or Solver.Svd or Solver.Gd)
            throw new ArgumentException($"weighted least squares is solved by the normal equations: use --solver auto or normal with --weights");
        if (covariance.Type != CovarianceType.Nonrobust && options.Ridge > 0)
            throw new ArgumentException("robust standard errors are not defined for the ridge estimator here: leave out --ridge or --cov");
        int n = design.N, k = design.Width;
        bool keep = !weighted && options.Solver != Solver.Normal &&
            ((long)n * k <= CsvSource.KeepRowsLimit || n <= k && (long)n * k <= CsvSource.WideRowsLimit);
        double[]? all = keep ? design.Matrix() : null;
        var o = options with
        {
            Intercept = design.Intercept,
            FeatureNames = design.ColumnNames,
            TargetName = design.ResponseName,
            InterceptName = formula.Written ? "Intercept" : options.InterceptName,
        };
        RegressionResult fit;
        if (all is not null && LinearRegression.TakesWideRoute(n, k, o))
            fit = LinearRegression.FitWide(new RowData(all, n, k, design.Y), o); // fewer rows than columns: no Gram matrix
        else
        {
            bool sparse = SparseGram.Pays(design, dopt.SparseSums);
            GramSums sums;
            if (sparse) sums = SparseGram.Sums(design);
            else
            {
                var acc = new GramAccumulator(k);
                var x = new double[Math.Min(n, Chunk) * k];
                var y = new double[Math.Min(n, Chunk)];
                var w = weighted ? new double[y.Length] : null;
                for (int from = 0; from < n; from += Chunk)
                {
                    int count = Math.Min(Chunk, n - from);
                    design.Fill(from, count, x);
                    Array.Copy(design.Y, from, y, 0, count);
                    if (w is not null) Array.Copy(design.Weights!, from, w, 0, count);
                    acc.Add(x, y, count, w);
                }
                sums = acc.Result();
            }
            var rows = all is null ? null : new RowData(all, n, k, design.Y);
            fit = LinearRegression.Solve(sums, rows, o, beta => sparse ? SparseGram.Rss(design, beta) : Rss(design, beta));
        }
        fit = fit with
        {
            Dropped = design.Dropped,
            Formula = formula.Text,
            WeightsColumn = dopt.Weights,
        };
        if (covariance.Type != CovarianceType.Nonrobust) fit = Robust(fit, design, covariance);
        return (fit, design);
    }

    /// <summary>Σ w (y - ŷ)² from the rows (no cancellation), by chunks.</summary>
    private static double Rss(Design design, double[] beta)
    {
        int n = design.N, k = design.Width, off = design.Intercept ? 1 : 0;
        double total = 0;
        object gate = new();
        Parallel.For(0, (n + Chunk - 1) / Chunk, () => (new double[Chunk * k], 0.0), (b, _, state) =>
        {
            var (x, s) = state;
            int from = b * Chunk, count = Math.Min(Chunk, n - from);
            design.Fill(from, count, x);
            for (int i = 0; i < count; i++)
            {
                double e = design.Y[from + i] - (off == 1 ? beta[0] : 0) - Orthogonal.Dot(x.AsSpan(i * k, k), beta.AsSpan(off));
                s += (design.Weights is { } wt ? wt[from + i] : 1) * e * e;
            }
            return (x, s);
        }, state => { lock (gate) total += state.Item2; });
        return total;
    }

    /// <summary>Writes rows [from, from+count) of the design with a leading ones column when there is an intercept.</summary>
    internal static void FillFull(Design design, int from, int count, double[] dest)
    {
        int k = design.Width, off = design.Intercept ? 1 : 0, p = k + off;
        if (off == 0) { design.Fill(from, count, dest); return; }
        var tmp = new double[count * k];
        design.Fill(from, count, tmp);
        for (int i = 0; i < count; i++)
        {
            dest[i * p] = 1;
            Array.Copy(tmp, i * k, dest, i * p + 1, k);
        }
    }

    private static RegressionResult Robust(RegressionResult fit, Design design, CovarianceOptions cov)
    {
        int p = fit.Table.Count;
        if (fit.Bread is null || fit.Dependencies.Count > 0)
            throw new ArgumentException($"robust standard errors need independent columns; {(fit.Dependencies.Count > 0 ? "these are dependent: " + string.Join("; ", fit.Dependencies.Select(d => d.Text)) : "this fit has no covariance")}");
        var beta = fit.Table.Select(t => t.Estimate).ToArray();
        var x = new double[p];
        int off = design.Intercept ? 1 : 0;
        // per-row multiplier of the score x̃_i: w_i·e_i; leverage weight w_i
        var c = new double[design.N];
        var rowBuf = new double[Chunk * p];
        for (int from = 0; from < design.N; from += Chunk)
        {
            int count = Math.Min(Chunk, design.N - from);
            FillFull(design, from, count, rowBuf);
            for (int i = 0; i < count; i++)
            {
                double e = design.Y[from + i] - Orthogonal.Dot(rowBuf.AsSpan(i * p, p), beta);
                c[from + i] = (design.Weights is { } wt ? wt[from + i] : 1) * e;
            }
        }
        if (cov.Type == CovarianceType.Cluster && design.Clusters!.Value.Count < 2)
            throw new ArgumentException($"cluster-robust errors need at least 2 clusters; '{cov.ClusterColumn}' has {design.Clusters.Value.Count} in the rows used");
        var v = Sandwich.Covariance(design.N, p, fit.Rank, fit.Bread, (from, count, dest) => FillFull(design, from, count, dest),
            i => c[i], i => design.Weights is { } wt ? wt[i] : 1, cov.Type, design.Clusters);
        const double z975 = 1.959963984540054;
        var rows = new List<CoefficientRow>();
        for (int j = 0; j < p; j++)
        {
            double est = beta[j], se = Math.Sqrt(Math.Max(v[j * p + j], 0)), z = est / se;
            rows.Add(new CoefficientRow(fit.Table[j].Name, est, se, z, Glm.NormalTwoSided(z), est - z975 * se, est + z975 * se));
        }
        var (f, q) = Sandwich.WaldF(beta, v, p, design.Intercept);
        return fit with
        {
            Table = rows,
            Covariance = cov.Label,
            Clusters = cov.Type == CovarianceType.Cluster ? (cov.ClusterColumn!, design.Clusters!.Value.Count) : null,
            FStatistic = f,
            // statsmodels tests a cluster-robust F on G - 1 denominator degrees of freedom
            FPValue = double.IsNaN(f) ? double.NaN : Distributions.FUpperTail(f, q, cov.Type == CovarianceType.Cluster ? design.Clusters!.Value.Count - 1 : fit.DfResid),
        };
    }

    /// <summary>Each row of <paramref name="frame"/> predicted through the design's coding: X·β (NaN where a used value is missing).</summary>
    public static double[] Predict(RegressionResult fit, Design design, Frame frame)
    {
        var (x, missing) = design.Apply(frame);
        int k = design.Width;
        var result = new double[frame.Rows];
        for (int i = 0; i < frame.Rows; i++)
            result[i] = missing[i] ? double.NaN : fit.Intercept + Orthogonal.Dot(x.AsSpan((int)((long)i * k), k), fit.Coefficients);
        return result;
    }

    /// <summary>A GLM of the formula's response on its design.</summary>
    public static (GlmResult Fit, Design Design) FitGlm(Frame frame, Formula formula, GlmOptions? options = null,
        DesignOptions? designOptions = null, CovarianceOptions? covariance = null)
    {
        options ??= new GlmOptions();
        covariance ??= CovarianceOptions.Classical;
        var dopt = (designOptions ?? new DesignOptions()) with { Cluster = covariance.ClusterColumn };
        var design = Design.Build(frame, formula, dopt);
        var x = design.Matrix();
        var o = options with
        {
            Intercept = design.Intercept,
            FeatureNames = design.ColumnNames,
            TargetName = design.ResponseName,
            InterceptName = formula.Written ? "Intercept" : options.InterceptName,
            Covariance = covariance,
            Clusters = design.Clusters,
            Weights = design.Weights,
        };
        var fit = Models.Glm.Fit(x, design.N, design.Width, design.Y, o);
        return (fit with { Dropped = design.Dropped, Formula = formula.Text }, design);
    }

    /// <summary>The GLM's mean response (probability, rate, value) for each row of <paramref name="frame"/> through the design's coding.</summary>
    public static double[] Predict(GlmResult fit, Design design, Frame frame)
    {
        var (x, missing) = design.Apply(frame);
        int k = design.Width;
        var result = new double[frame.Rows];
        for (int i = 0; i < frame.Rows; i++)
            result[i] = missing[i] ? double.NaN : fit.Predict(x.AsSpan((int)((long)i * k), k));
        return result;
    }
}
