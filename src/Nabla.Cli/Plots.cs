using Nabla.Models;
using Nabla.Optimization;
using ScottPlot;
using SkiaSharp;

namespace Nabla.Cli;

/// <summary>PNG plots with ScottPlot: regression diagnostics (three panels) and a fit's loss and gradient norm per iteration.</summary>
public static class Plots
{
    /// <summary>At most this many points are drawn per panel (every k-th row, in order): a plot of 10⁶ dots shows no more.</summary>
    public const int MaxPoints = 20_000;

    public const int PanelWidth = 600, PanelHeight = 500;

    internal static void RegressionDiagnostics(RegressionDiagnostics d, Stream output)
    {
        int n = d.Fitted.Length, step = Math.Max(1, (n + MaxPoints - 1) / MaxPoints);
        int[] pick = [.. Enumerable.Range(0, (n + step - 1) / step).Select(i => i * step)];
        double[] Take(double[] a) => pick.Select(i => a[i]).ToArray();

        var residuals = new Plot();
        residuals.Add.ScatterPoints(Take(d.Fitted), Take(d.Residuals));
        residuals.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dashed);
        residuals.Title("Residuals vs fitted");
        residuals.XLabel("fitted value");
        residuals.YLabel("residual");

        // normal Q-Q of the standardized residuals (all of them sorted, then thinned)
        var sorted = d.Standardized.Where(double.IsFinite).Order().ToArray();
        int m = sorted.Length, qstep = Math.Max(1, (m + MaxPoints - 1) / MaxPoints);
        var qi = Enumerable.Range(0, (m + qstep - 1) / qstep).Select(i => i * qstep).ToArray();
        var theory = qi.Select(i => Distributions.NormalQuantile((i + 0.5) / m)).ToArray();
        var qq = new Plot();
        qq.Add.ScatterPoints(theory, qi.Select(i => sorted[i]).ToArray());
        if (m > 0)
        {
            double lo = Math.Min(theory[0], sorted[0]), hi = Math.Max(theory[^1], sorted[^1]);
            qq.Add.Line(lo, lo, hi, hi).Color = Colors.Gray;
        }
        qq.Title("Normal Q-Q");
        qq.XLabel("theoretical quantile");
        qq.YLabel("standardized residual");

        var leverage = new Plot();
        leverage.Add.ScatterPoints(Take(d.Leverage), Take(d.Standardized));
        double hmax = d.Leverage.Where(double.IsFinite).DefaultIfEmpty(0).Max();
        foreach (double level in new[] { 0.5, 1.0 })
        {
            // Cook's distance D: r = ±√(D·p·(1-h)/h)
            var hs = Enumerable.Range(1, 100).Select(i => hmax * i / 100.0).Where(h => h < 1).ToArray();
            if (hs.Length == 0) continue;
            foreach (int sign in new[] { 1, -1 })
            {
                var line = leverage.Add.ScatterLine(hs, hs.Select(h => sign * Math.Sqrt(level * d.Parameters * (1 - h) / h)).ToArray());
                line.Color = Colors.Red;
                line.LinePattern = LinePattern.Dashed;
                if (sign == 1) line.LegendText = $"Cook's distance {level}";
            }
        }
        leverage.Add.HorizontalLine(0, 1, Colors.Gray, LinePattern.Dotted);
        leverage.Title("Residuals vs leverage");
        leverage.XLabel("leverage");
        leverage.YLabel("standardized residual");
        leverage.Axes.SetLimitsY(Math.Min(-3, d.Standardized.Where(double.IsFinite).DefaultIfEmpty(0).Min() * 1.1), Math.Max(3, d.Standardized.Where(double.IsFinite).DefaultIfEmpty(0).Max() * 1.1));
        leverage.Axes.SetLimitsX(0, Math.Max(hmax * 1.05, 1e-3));
        Compose([residuals, qq, leverage], output);
    }

    /// <summary>The loss and the gradient's size (log scale) against the iteration.</summary>
    internal static void Convergence(IReadOnlyList<MinimizeProgress> trace, Stream output)
    {
        var it = trace.Select(t => (double)t.Iteration).ToArray();
        var loss = new Plot();
        loss.Add.ScatterLine(it, trace.Select(t => t.Value).ToArray());
        loss.Title("Loss");
        loss.XLabel("iteration");
        loss.YLabel("loss");
        var grad = new Plot();
        grad.Add.ScatterLine(it, trace.Select(t => t.GradientNorm > 0 ? Math.Log10(t.GradientNorm) : double.NaN).ToArray());
        grad.Title("Gradient norm (log10)");
        grad.XLabel("iteration");
        grad.YLabel("log10 of the gradient's largest entry");
        Compose([loss, grad], output);
    }

    private static void Compose(Plot[] plots, Stream output)
    {
        var info = new SKImageInfo(PanelWidth * plots.Length, PanelHeight);
        using var surface = SKSurface.Create(info);
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < plots.Length; i++)
        {
            // each panel on its own surface (a plot clears the canvas it renders on), then drawn side by side
            using var panel = SKSurface.Create(new SKImageInfo(PanelWidth, PanelHeight));
            plots[i].Render(panel);
            using var shot = panel.Snapshot();
            surface.Canvas.DrawImage(shot, i * PanelWidth, 0);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        data.SaveTo(output);
    }
}
