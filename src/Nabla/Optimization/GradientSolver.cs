using Nabla.Data;
using Nabla.Calculus;
using Nabla.Printing;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla.Optimization;

/// <summary>
/// The gd solver: L-BFGS on Q(w) = norm2(X*w-y)^2 using the gradient Nabla derives itself
/// (2*X'*(X*w-y)), evaluated by Nabla's evaluator; the step length is exact along each direction
/// because Q is quadratic with the Hessian 2*X'*X, also derived by Nabla. Started at 0, every iterate
/// stays in the row space of X, so on a rank-deficient X it reaches the minimum-norm solution.
/// </summary>
internal static class GradientSolver
{
    public const string Loss = "norm2(X*w-y)^2";

    /// <summary>The bound loss and its derived gradient and Hessian.</summary>
    public static (BoundExpression Bound, Expr Gradient, Expr Hessian) Derive()
    {
        var declarations = new Dictionary<string, VarType>
        {
            ["X"] = new(VarKind.Matrix), ["w"] = new(VarKind.Vector), ["y"] = new(VarKind.Vector),
        };
        var bound = Binder.Bind(Loss, new BindOptions { Declarations = declarations, PreferScalar = true });
        var w = bound.Variable("w")!;
        return (bound, Derivatives.Derive(bound.Root, w, DerivativeKind.Gradient), Derivatives.Derive(bound.Root, w, DerivativeKind.Hessian));
    }

    public static (double[] W, int Iterations, string GradientText, double Reduction) Fit(RowData data, bool intercept)
    {
        var (bound, gradient, hessian) = Derive();
        int n = data.N, d = data.D, off = intercept ? 1 : 0, p = d + off;
        var design = new double[(long)n * p];
        for (int i = 0; i < n; i++)
        {
            if (intercept) design[i * p] = 1;
            Array.Copy(data.X, (long)i * d, design, (long)i * p + off, d);
        }
        var values = new Dictionary<string, Tensor>
        {
            ["X"] = new(ShapeKind.Matrix, n, p, design),
            ["y"] = Tensor.Vector(data.Y),
            ["w"] = Tensor.Vector(new double[p]),
        };
        double[] Grad(double[] w)
        {
            values["w"] = Tensor.Vector(w);
            return new Evaluator(values, bound.Variables).Evaluate(gradient).Data;
        }
        var h = new Evaluator(values, bound.Variables).Evaluate(hessian).Data; // p×p

        const int memory = 30;
        var s = new List<double[]>();
        var yv = new List<double[]>();
        var x = new double[p];
        var g = Grad(x);
        double g0 = NormInf(g), best = g0;
        var bestX = (double[])x.Clone();
        int stall = 0, it = 0, maxIt = 50 * p + 200;
        if (g0 == 0) return (x, 0, ResultText.Readable(gradient), 0);
        for (; it < maxIt; it++)
        {
            var dir = TwoLoop(g, s, yv);
            var hd = new double[p];
            for (int i = 0; i < p; i++) hd[i] = Orthogonal.Dot(h.AsSpan(i * p, p), dir);
            double curv = Orthogonal.Dot(dir, hd), slope = Orthogonal.Dot(g, dir);
            if (!(curv > 0) || slope >= 0) { s.Clear(); yv.Clear(); if (curv <= 0) break; continue; }
            double alpha = -slope / curv;
            var step = dir.Select(v => alpha * v).ToArray();
            for (int i = 0; i < p; i++) x[i] += step[i];
            var gNew = Grad(x);
            var dy = new double[p];
            for (int i = 0; i < p; i++) dy[i] = gNew[i] - g[i];
            if (Orthogonal.Dot(dy, step) > 0)
            {
                s.Add(step); yv.Add(dy);
                if (s.Count > memory) { s.RemoveAt(0); yv.RemoveAt(0); }
            }
            g = gNew;
            double gn = NormInf(g);
            if (gn < best) { best = gn; bestX = (double[])x.Clone(); stall = 0; } else if (++stall > 20) break;
            if (gn <= 1e-15 * g0) break;
        }
        return (bestX, it, ResultText.Readable(gradient), best / g0);
    }

    /// <summary>The largest final/initial gradient ratio (largest entry) counted as converged.</summary>
    public const double Converged = 1e-10;

    /// <summary>The L-BFGS two-loop recursion: -H·g with the inverse-Hessian approximation of the stored pairs.</summary>
    private static double[] TwoLoop(double[] g, List<double[]> s, List<double[]> y)
    {
        var q = (double[])g.Clone();
        int m = s.Count;
        var a = new double[m];
        for (int k = m - 1; k >= 0; k--)
        {
            a[k] = Orthogonal.Dot(s[k], q) / Orthogonal.Dot(y[k], s[k]);
            Orthogonal.Axpy(-a[k], y[k], q);
        }
        double gamma = m > 0 ? Orthogonal.Dot(s[^1], y[^1]) / Orthogonal.Dot(y[^1], y[^1]) : 1;
        for (int i = 0; i < q.Length; i++) q[i] *= gamma;
        for (int k = 0; k < m; k++)
        {
            double b = Orthogonal.Dot(y[k], q) / Orthogonal.Dot(y[k], s[k]);
            Orthogonal.Axpy(a[k] - b, s[k], q);
        }
        for (int i = 0; i < q.Length; i++) q[i] = -q[i];
        return q;
    }

    private static double NormInf(double[] v) => v.Length == 0 ? 0 : v.Max(Math.Abs);
}
