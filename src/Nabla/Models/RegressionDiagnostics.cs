using Nabla.LinearAlgebra;
using Nabla.Models.Formulas;

namespace Nabla.Models;

/// <summary>
/// Per-row regression diagnostics, as R's plot(lm) draws them: fitted values, residuals, leverages h (the hat
/// matrix's diagonal), internally studentized residuals e/(σ√(1-h)) and Cook's distances r²·h/(p(1-h)); weighted
/// for WLS (√w·e, h = w·x̃'(X'WX)⁻¹x̃).
/// </summary>
public sealed record RegressionDiagnostics(double[] Fitted, double[] Residuals, double[] Leverage, double[] Standardized, double[] Cook, int Parameters)
{
    /// <summary>The diagnostics of a fit on its design: fitted values, residuals, leverages, studentized residuals and Cook's distances.</summary>
    public static RegressionDiagnostics Compute(RegressionResult fit, Design design)
    {
        if (fit.Bread is null || fit.Dependencies.Count > 0)
            throw new ArgumentException("the diagnostic plots need a fit with independent columns (no dependencies, no ridge)");
        int n = design.N, p = fit.Table.Count;
        var beta = fit.Table.Select(t => t.Estimate).ToArray();
        double sigma = fit.ResidualStdError;
        var fitted = new double[n]; var resid = new double[n]; var lev = new double[n]; var std = new double[n]; var cook = new double[n];
        const int chunk = 4096;
        Parallel.For(0, (n + chunk - 1) / chunk, b =>
        {
            int from = b * chunk, count = Math.Min(chunk, n - from);
            var x = new double[count * p];
            FormulaModels.FillFull(design, from, count, x);
            var xb = new double[p];
            for (int i = 0; i < count; i++)
            {
                var row = x.AsSpan(i * p, p);
                int r = from + i;
                double yhat = Orthogonal.Dot(row, beta), w = design.Weights?[r] ?? 1;
                fitted[r] = yhat;
                resid[r] = design.Y[r] - yhat;
                for (int j = 0; j < p; j++) xb[j] = Orthogonal.Dot(fit.Bread.AsSpan(j * p, p), row);
                double h = w * Orthogonal.Dot(xb, row);
                lev[r] = h;
                double e = Math.Sqrt(w) * resid[r];
                std[r] = h < 1 ? e / (sigma * Math.Sqrt(1 - h)) : double.NaN;
                cook[r] = h < 1 ? std[r] * std[r] * h / (p * (1 - h)) : double.NaN;
            }
        });
        return new RegressionDiagnostics(fitted, resid, lev, std, cook, p);
    }
}
