using Nabla.Explain;
using Nabla.Calculus;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Checking;

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
        var vars = ExprQueries.Variables(f).Append(x).DistinctBy(v => v.Name).ToList();
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
            double[]? previous = null;
            // A Hessian's steps start with the gradient (a statement, not a differential); the rest expand dg.
            var body = ex.Steps.Skip(ex.Kind == Calculus.DerivativeKind.Hessian ? 1 : 0).Take(ex.Steps.Count - (ex.Kind == Calculus.DerivativeKind.Hessian ? 2 : 1));
            var target = ex.Objective ?? f;
            foreach (var step in body)
            {
                var v = EvaluateAll(step.Expr, withD, vars, x, ex.Differential);
                if (previous is not null) worst = Math.Max(worst, Diff(v, previous));
                previous = v;
            }
            // The read-off: <G, dX> = df for a gradient, J*dx = df for a Jacobian.
            var g = new Evaluator(values, vars).Evaluate(ex.Gradient);
            double[] read;
            if (ex.Kind == Calculus.DerivativeKind.Gradient)
            {
                double inner = 0;
                for (int i = 0; i < g.Length; i++) inner += g.Data[i] * dxv.Data[i];
                read = [inner];
            }
            else read = DenseOps.MatMul(g, dxv).Data;
            worst = Math.Max(worst, Diff(read, previous!));
        }
        return worst;
    }

    private static double Diff(double[] a, double[] b)
    {
        double scale = Math.Max(1, b.Max(Math.Abs)), worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]) / scale);
        return a.Length == b.Length ? worst : double.PositiveInfinity;
    }

    /// <summary>Evaluates a step (all its entries), replacing each d(u) by its directional derivative along dX.</summary>
    public static double[] EvaluateAll(Expr step, Dictionary<string, Tensor> values, List<Var> vars, Var x, Var dx)
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
        return new Evaluator(extended, extraVars).Evaluate(replaced).Data;
    }

    /// <summary>A scalar step's value.</summary>
    public static double Evaluate(Expr step, Dictionary<string, Tensor> values, List<Var> vars, Var x, Var dx) =>
        EvaluateAll(step, values, vars, x, dx).Sum();

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
