using Nabla.Data;
using Nabla.LinearAlgebra;

namespace Nabla.Models;

/// <summary>How the standard errors are computed.</summary>
public enum CovarianceType
{
    /// <summary>The classical σ²(X'X)⁻¹ (a GLM's inverse Fisher information).</summary>
    Nonrobust,
    /// <summary>White's heteroscedasticity-consistent sandwich.</summary>
    HC0,
    /// <summary>HC0 times n/(n - k).</summary>
    HC1,
    /// <summary>Each squared residual divided by 1 - h (h the leverage).</summary>
    HC2,
    /// <summary>Each squared residual divided by (1 - h)².</summary>
    HC3,
    /// <summary>Clustered: the scores summed within each cluster, times G/(G-1)·(n-1)/(n-k) (statsmodels' default).</summary>
    Cluster,
}

/// <summary>The parsed --cov option: HC0…HC3, or cluster:column.</summary>
public sealed record CovarianceOptions(CovarianceType Type, string? ClusterColumn = null)
{
    /// <summary>The classical (nonrobust) covariance.</summary>
    public static readonly CovarianceOptions Classical = new(CovarianceType.Nonrobust);

    /// <summary>"nonrobust", "HC0" … "HC3" (any case), or "cluster:firm".</summary>
    public static CovarianceOptions Parse(string text)
    {
        string t = text.Trim();
        if (t.StartsWith("cluster", StringComparison.OrdinalIgnoreCase))
        {
            int colon = t.IndexOf(':');
            if (colon < 0 || t[(colon + 1)..].Trim().Length == 0)
                throw new ArgumentException($"--cov {text}: name the column that groups the rows, as in --cov cluster:firm");
            return new(CovarianceType.Cluster, t[(colon + 1)..].Trim());
        }
        return t.ToUpperInvariant() switch
        {
            "NONROBUST" or "CLASSICAL" => Classical,
            "HC0" => new(CovarianceType.HC0),
            "HC1" => new(CovarianceType.HC1),
            "HC2" => new(CovarianceType.HC2),
            "HC3" => new(CovarianceType.HC3),
            _ => throw new ArgumentException($"--cov takes nonrobust, HC0, HC1, HC2, HC3 or cluster:column, not '{text}'"),
        };
    }

    /// <summary>The covariance's name in reports: "nonrobust", "HC0" … "HC3" or "cluster".</summary>
    public string Label => Type == CovarianceType.Cluster ? "cluster" : Type == CovarianceType.Nonrobust ? "nonrobust" : Type.ToString();
}

/// <summary>
/// Sandwich covariances B·M·B over a design's rows: B the model's unscaled covariance (its inverse Hessian), M the
/// sum of the score contributions' outer products — per row (HC0…HC3) or per cluster. The scores are c_i·x̃_i for a
/// multiplier c_i the model supplies (for least squares w_i·e_i; for a canonical-link GLM y_i - μ_i).
/// </summary>
internal static class Sandwich
{
    /// <summary>
    /// The robust covariance, p×p. <paramref name="fill"/> writes rows [from, from+count) of the design with its
    /// intercept column (p wide); <paramref name="score"/> gives c_i; <paramref name="leverageWeight"/> the w_i of
    /// the leverage h_i = w_i·x̃_i'·B·x̃_i (HC2, HC3); <paramref name="squareScale"/> scales c_i² in the per-row meat
    /// (1/v_i for frequency weights v, whose rows each stand for v_i identical ones).
    /// </summary>
    public static double[] Covariance(int n, int p, int rank, double[] bread, Action<int, int, double[]> fill, Func<int, double> score,
        Func<int, double> leverageWeight, CovarianceType type, (int[] Ids, int Groups)? clusters, Func<int, double>? squareScale = null)
    {
        const int chunk = 8192;
        var meat = new double[p * p];
        var part = new double[p * p];
        var x = new double[Math.Min(n, chunk) * p];
        var m = new double[Math.Min(n, chunk)];
        var xb = type is CovarianceType.HC2 or CovarianceType.HC3 ? new double[x.Length] : null;
        var blas = Blas.Create(BlasBackend.Managed);
        double[]? u = type == CovarianceType.Cluster ? new double[(long)clusters!.Value.Groups * p] : null;
        for (int from = 0; from < n; from += chunk)
        {
            int count = Math.Min(chunk, n - from);
            fill(from, count, x);
            if (u is not null)
            {
                var ids = clusters!.Value.Ids;
                for (int i = 0; i < count; i++)
                {
                    double c = score(from + i);
                    int g = ids[from + i];
                    for (int j = 0; j < p; j++) u[(long)g * p + j] += c * x[i * p + j];
                }
                continue;
            }
            if (xb is not null) blas.Gemm(false, false, count, p, p, 1, x, p, bread, p, 0, xb, p);
            for (int i = 0; i < count; i++)
            {
                double c = score(from + i);
                double v = c * c * (squareScale?.Invoke(from + i) ?? 1);
                if (xb is not null)
                {
                    double h = 0;
                    for (int j = 0; j < p; j++) h += xb[i * p + j] * x[i * p + j];
                    h *= leverageWeight(from + i);
                    double one = 1 - h;
                    v = type == CovarianceType.HC2 ? v / one : v / (one * one);
                }
                m[i] = v;
            }
            var rows = x.Length == count * p ? x : x[..(count * p)];
            if (!GramAccumulator.WeightedGram(rows, count, p, m[..count], part))
                throw new ArgumentException("a robust weight is not finite (a leverage of 1: the row alone determines a coefficient); use HC0 or HC1");
            for (int k = 0; k < meat.Length; k++) meat[k] += part[k];
        }
        if (u is not null)
        {
            int groups = clusters!.Value.Groups;
            var ones = new double[groups];
            Array.Fill(ones, 1.0);
            GramAccumulator.WeightedGram(u, groups, p, ones, meat);
        }
        // V = B M B
        var bm = new double[p * p];
        var v2 = new double[p * p];
        blas.Gemm(false, false, p, p, p, 1, bread, p, meat, p, 0, bm, p);
        blas.Gemm(false, false, p, p, p, 1, bm, p, bread, p, 0, v2, p);
        double factor = type switch
        {
            CovarianceType.HC1 => (double)n / (n - rank),
            CovarianceType.Cluster => clusters!.Value.Groups / (clusters.Value.Groups - 1.0) * (n - 1.0) / (n - rank),
            _ => 1,
        };
        for (int k = 0; k < v2.Length; k++) v2[k] *= factor;
        // symmetric up to rounding: make it exactly so
        for (int i = 0; i < p; i++)
            for (int j = i + 1; j < p; j++) v2[i * p + j] = v2[j * p + i] = (v2[i * p + j] + v2[j * p + i]) / 2;
        return v2;
    }

    /// <summary>The Wald F statistic of all coefficients but the intercept under the covariance V (statsmodels' robust F).</summary>
    public static (double F, double Df) WaldF(double[] beta, double[] v, int p, bool intercept)
    {
        int o = intercept ? 1 : 0, q = p - o;
        if (q == 0) return (double.NaN, 0);
        var s = new double[q * q];
        for (int i = 0; i < q; i++)
            for (int j = 0; j < q; j++) s[i * q + j] = v[(i + o) * p + j + o];
        var chol = Cholesky.Factor(s, q, 0);
        if (chol.Rank < q) return (double.NaN, q);
        var b = beta[o..];
        var x = chol.Solve(b);
        double w = 0;
        for (int i = 0; i < q; i++) w += b[i] * x[i];
        return (w / q, q);
    }
}
