using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;

namespace Nabla.Numerics;

public sealed record CheckReport(double MaxRelativeError, int Trials, bool Passed);

/// <summary>
/// Compares a symbolic derivative with central finite differences at random points drawn to fit each
/// function's domain: positive entries under log and sqrt, well-conditioned SPD matrices under inv and logdet.
/// </summary>
public static class GradientCheck
{
    public static CheckReport Check(Expr f, Var x, Expr derivative, DerivativeKind kind, IEnumerable<Var> variables,
        int trials = 3, int seed = 12345, double tolerance = 1e-5)
    {
        var vars = variables.Append(x).DistinctBy(v => v.Name).ToList();
        var rng = new Random(seed);
        double worst = 0;
        for (int t = 0; t < trials; t++)
        {
            var values = RandomPoint.Draw(f, vars, rng);
            var ev = new Evaluator(values, vars);
            var symbolic = ev.Evaluate(derivative);
            // The first derivative for gradients and Jacobians; the gradient for Hessians (differences of the gradient).
            Expr target = kind == DerivativeKind.Hessian ? Derivation.Derive(f, x, DerivativeKind.Gradient) : f;
            var numeric = FiniteDifference(target, x, values, vars);
            double scale = Math.Max(1, numeric.MaxAbs());
            double err = 0;
            for (int i = 0; i < numeric.Length; i++) err = Math.Max(err, Math.Abs(numeric.Data[i] - symbolic.Data[i]));
            if (numeric.Length != symbolic.Length)
                throw new InvalidOperationException("derivative has the wrong size");
            worst = Math.Max(worst, err / scale);
        }
        return new CheckReport(worst, trials, worst <= tolerance);
    }

    /// <summary>Compares a derivative in index form with central differences, entry by entry (row-major over the objective's then the variable's indices).</summary>
    public static CheckReport CheckIndex(Expr f, Var x, Calculus.IndexForm index, DerivativeKind kind, IEnumerable<Var> variables,
        int trials = 3, int seed = 12345, double tolerance = 1e-5)
    {
        var vars = variables.Append(x).DistinctBy(v => v.Name).ToList();
        var rng = new Random(seed);
        Expr target = kind == DerivativeKind.Hessian ? Derivation.Derive(f, x, DerivativeKind.Gradient) : f;
        double worst = 0;
        for (int t = 0; t < trials; t++)
        {
            var values = RandomPoint.Draw(f, vars, rng);
            var ev = new Evaluator(values, vars);
            var symbolic = index.Evaluate(ev, ev.SizeOf);
            var x0 = values[x.Name];
            int n = x0.Length;
            var numeric = new double[symbolic.Length];
            int m = symbolic.Length / n;
            for (int j = 0; j < n; j++)
            {
                double h = 1e-6 * Math.Max(1, Math.Abs(x0.Data[j]));
                var fp = new Evaluator(Perturb(values, x, j, h, x.Symmetric), vars).Evaluate(target).Data;
                var fm = new Evaluator(Perturb(values, x, j, -h, x.Symmetric), vars).Evaluate(target).Data;
                for (int i = 0; i < m; i++) numeric[i * n + j] = (fp[i] - fm[i]) / (2 * h);
            }
            double scale = Math.Max(1, numeric.Max(Math.Abs));
            double err = 0;
            for (int i = 0; i < numeric.Length; i++) err = Math.Max(err, Math.Abs(numeric[i] - symbolic[i]));
            worst = Math.Max(worst, err / scale);
        }
        return new CheckReport(worst, trials, worst <= tolerance);
    }

    /// <summary>Central differences of <paramref name="f"/> in each entry of x, laid out as f's shape ++ x's shape.</summary>
    public static Tensor FiniteDifference(Expr f, Var x, Dictionary<string, Tensor> values, IEnumerable<Var> vars)
    {
        var x0 = values[x.Name];
        var varList = vars.ToList();
        int n = x0.Length;
        int m = 0;
        var columns = new List<double[]>();
        for (int j = 0; j < n; j++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x0.Data[j]));
            var plus = Perturb(values, x, j, h, x.Symmetric);
            var minus = Perturb(values, x, j, -h, x.Symmetric);
            var fp = new Evaluator(plus, varList).Evaluate(f).Data;
            var fm = new Evaluator(minus, varList).Evaluate(f).Data;
            var col = new double[fp.Length];
            for (int i = 0; i < col.Length; i++) col[i] = (fp[i] - fm[i]) / (2 * h);
            m = col.Length;
            columns.Add(col);
        }
        // Layout: for scalar f the result has x's shape; otherwise rows are f's entries, columns x's entries.
        if (m == 1 || f.Shape.IsScalar)
            return x0.Like(columns.Select(c => c[0]).ToArray());
        var data = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) data[i * n + j] = columns[j][i];
        if (x.Shape.IsScalar) return new Tensor(f.Shape.Kind, f.Shape.Kind == ShapeKind.Row ? 1 : m, f.Shape.Kind == ShapeKind.Row ? m : 1, data);
        return new Tensor(ShapeKind.Matrix, m, n, data);
    }

    private static Dictionary<string, Tensor> Perturb(Dictionary<string, Tensor> values, Var x, int j, double h, bool symmetric)
    {
        var copy = new Dictionary<string, Tensor>(values);
        var t = values[x.Name];
        var d = (double[])t.Data.Clone();
        d[j] += h;
        if (symmetric)
        {
            // A symmetric variable moves along symmetric directions: E_ij + E_ji (scaled to keep the convention).
            int r = j / t.Cols, c = j % t.Cols;
            if (r != c) { d[j] -= h / 2; d[c * t.Cols + r] += h / 2; }
        }
        copy[x.Name] = t.Like(d);
        return copy;
    }
}
