using Nabla.Calculus;
using Nabla.Expressions;
using Nabla.Numerics;

namespace Nabla.Explain;

/// <summary>
/// Checks a derivation numerically: with the variables and dX given random values, every step's df
/// has the same value as the one before (an unexpanded d(u) is evaluated as the directional derivative
/// of u along dX by central differences), and the result G satisfies ⟨G, dX⟩ = df.
/// </summary>
public static class StepCheck
{
    /// <summary>The largest relative disagreement between consecutive steps over a few random points.</summary>
    public static double MaxError(Expr f, Var x, Explanation ex, int trials = 3, int seed = 1)
    {
        var vars = Evaluator.Variables(f).Append(x).DistinctBy(v => v.Name).ToList();
        var rng = new Random(seed);
        double worst = 0;
        for (int t = 0; t < trials; t++)
        {
            var values = RandomPoint.Draw(f, vars, rng);
            var x0 = values[x.Name];
            var dxv = x.Symmetric
                ? RandomPoint.Spd(x0.Rows, rng, shift: false)
                : x0.Like(Enumerable.Range(0, x0.Length).Select(_ => rng.NextDouble() * 2 - 1).ToArray());
            var withD = new Dictionary<string, Tensor>(values) { [ex.Differential.Name] = dxv };
            double? previous = null;
            foreach (var step in ex.Steps.Take(ex.Steps.Count - 1))
            {
                double v = Evaluate(step.Expr, withD, vars, x, ex.Differential);
                if (previous is { } p) worst = Math.Max(worst, Math.Abs(v - p) / Math.Max(1, Math.Abs(p)));
                previous = v;
            }
            // The read-off: <G, dX> = df.
            var g = new Evaluator(values, vars).Evaluate(ex.Gradient);
            double inner = 0;
            for (int i = 0; i < g.Length; i++) inner += g.Data[i] * dxv.Data[i];
            worst = Math.Max(worst, Math.Abs(inner - previous!.Value) / Math.Max(1, Math.Abs(previous.Value)));
        }
        return worst;
    }

    /// <summary>Evaluates a step, replacing each d(u) by its directional derivative along dX.</summary>
    public static double Evaluate(Expr step, Dictionary<string, Tensor> values, List<Var> vars, Var x, Var dx)
    {
        var extended = new Dictionary<string, Tensor>(values);
        var extraVars = new List<Var>(vars) { dx };
        int k = 0;
        var replaced = ReplaceDs(step, u =>
        {
            var name = $"__d{k++}";
            extended[name] = Directional(u, values, vars, x, values[dx.Name]);
            var v = new Var(name, u.Shape);
            extraVars.Add(v);
            return v;
        });
        return new Evaluator(extended, extraVars).Evaluate(replaced).Data.Sum();
    }

    private static Expr ReplaceDs(Expr e, Func<Expr, Expr> map)
    {
        if (DifferentialOp.IsD(e)) return map(((Call)e).Arg);
        var kids = e.Children;
        if (kids.Count == 0) return e;
        var mapped = kids.Select(c => ReplaceDs(c, map)).ToList();
        return mapped.SequenceEqual(kids) ? e : e.WithChildren(mapped);
    }

    private static Tensor Directional(Expr u, Dictionary<string, Tensor> values, List<Var> vars, Var x, Tensor dir)
    {
        const double h = 1e-6;
        var x0 = values[x.Name];
        Tensor At(double s)
        {
            var d = new double[x0.Length];
            for (int i = 0; i < d.Length; i++) d[i] = x0.Data[i] + s * dir.Data[i];
            return new Evaluator(new Dictionary<string, Tensor>(values) { [x.Name] = x0.Like(d) }, vars).Evaluate(u);
        }
        var plus = At(h);
        var minus = At(-h);
        var r = new double[plus.Length];
        for (int i = 0; i < r.Length; i++) r[i] = (plus.Data[i] - minus.Data[i]) / (2 * h);
        return plus.Like(r);
    }
}
