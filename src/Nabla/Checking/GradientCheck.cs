using Nabla.Explain;
using Nabla.Numerics;
using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.LinearAlgebra;

namespace Nabla.Checking;

/// <summary>
/// The outcome of a numerical check: the largest relative error over the points where the finite
/// differences could be trusted, how many such points there were (<see cref="Trials"/>), and how many
/// were drawn but discarded because the differences themselves were too uncertain there (a kink, an
/// ill-conditioned function); <see cref="Passed"/> needs at least one trusted point.
/// </summary>
public sealed record CheckReport(double MaxRelativeError, int Trials, bool Passed, int Inconclusive = 0, bool Directional = false)
{
    /// <summary>No trusted point was found: neither a pass nor a mismatch.</summary>
    public bool IsInconclusive => Trials == 0;

    /// <summary>How the differences were taken: entry by entry, or along random directions for a large variable.</summary>
    public string Method => Directional ? $"along {GradientCheck.DirectionsPerPoint} random directions each" : "entry by entry";

    /// <summary>"ok", "MISMATCH" or "inconclusive" for the command line and the page.</summary>
    public string Verdict => IsInconclusive ? "inconclusive" : Passed ? "ok" : "MISMATCH";
}

/// <summary>
/// Compares a symbolic derivative with finite differences at random points drawn to fit each
/// function's domain: positive entries under log and sqrt, well-conditioned SPD matrices under inv and logdet.
/// The differences are central differences extrapolated by Ridders' method, which also estimates their own
/// error; a point where that estimate is too large to judge by is discarded and another one drawn.
/// </summary>
public static class GradientCheck
{
    /// <summary>A point whose finite differences are less certain than this (relative) is not used to judge.</summary>
    private const double TrustLimit = 1e-4;

    /// <summary>Checks <paramref name="derivative"/>, the <paramref name="kind"/> of <paramref name="f"/> with respect to <paramref name="x"/>, against finite differences at <paramref name="trials"/> random points, to a relative <paramref name="tolerance"/>.</summary>
    public static CheckReport Check(Expr f, Var x, Expr derivative, DerivativeKind kind, IEnumerable<Var> variables,
        int trials = 3, int seed = 12345, double tolerance = 1e-5) =>
        Run(f, x, kind, variables, trials, seed, tolerance, (ev, _) =>
        {
            var t = ev.Evaluate(derivative);
            return t.Data;
        });

    /// <summary>Compares a derivative in index form with finite differences, entry by entry (row-major over the objective's then the variable's indices).</summary>
    public static CheckReport CheckIndex(Expr f, Var x, Calculus.IndexForm index, DerivativeKind kind, IEnumerable<Var> variables,
        int trials = 3, int seed = 12345, double tolerance = 1e-5) =>
        Run(f, x, kind, variables, trials, seed, tolerance, (ev, _) => index.Evaluate(ev, ev.SizeOf));

    private static CheckReport Run(Expr f, Var x, DerivativeKind kind, IEnumerable<Var> variables, int trials, int seed,
        double tolerance, Func<Evaluator, Dictionary<string, Tensor>, double[]> symbolicAt)
    {
        var vars = variables.Append(x).DistinctBy(v => v.Name).ToList();
        var rng = new Random(seed);
        // The first derivative for gradients and Jacobians; the gradient for Hessians (differences of the gradient).
        Expr target = kind == DerivativeKind.Hessian ? Derivatives.Derive(f, x, DerivativeKind.Gradient) : f;
        double worst = 0;
        int trusted = 0, discarded = 0;
        // A large variable is checked along random directions at two points: each point costs a few dozen evaluations.
        if (x.Shape.Dims.Aggregate(1L, (p, d) => p * (d.IsKnown ? d.Size : 1)) > MaxEntriesChecked) trials = Math.Min(trials, 2);
        for (int draw = 0; trusted < trials && draw < 4 * trials + 4; draw++)
        {
            Budget.CheckNow();
            var values = RandomPoint.Draw(f, vars, rng);
            try
            {
                new Evaluator(values, vars).Evaluate(target);
            }
            catch (NablaException e) when (e.Diagnostic.Code == ErrorCodes.DomainError)
            {
                // The objective itself is undefined at this draw (det(X'*X) with X drawn wide): draw again.
                discarded++;
                continue;
            }
            var symbolic = symbolicAt(new Evaluator(values, vars), values);
            int n = values[x.Name].Length;
            var (numeric, uncertainty) = n <= MaxEntriesChecked
                ? Differences(target, x, values, vars)
                : Directional(target, x, values, vars, ref symbolic, rng);
            if (numeric.Length != symbolic.Length)
                throw new InvalidOperationException("derivative has the wrong size");
            double scale = 1, fdError = 0;
            foreach (var v in numeric) scale = Math.Max(scale, Math.Abs(v));
            foreach (var u in uncertainty) fdError = Math.Max(fdError, u);
            if (!(fdError <= TrustLimit * scale)) { discarded++; continue; }
            double err = 0;
            for (int i = 0; i < numeric.Length; i++)
                err = Math.Max(err, Math.Max(0, Math.Abs(numeric[i] - symbolic[i]) - uncertainty[i]));
            if (double.IsNaN(err)) err = double.PositiveInfinity;
            worst = Math.Max(worst, err / scale);
            trusted++;
        }
        bool directional = x.Shape.Dims.Aggregate(1L, (p, d) => p * (d.IsKnown ? d.Size : 1)) > MaxEntriesChecked;
        return new CheckReport(trusted == 0 ? double.NaN : worst, trusted, trusted > 0 && worst <= tolerance, discarded, directional);
    }

    /// <summary>Up to this many entries of a variable are checked one by one; a larger one along random directions.</summary>
    public const int MaxEntriesChecked = 64;

    /// <summary>Random directions a large variable is checked along.</summary>
    private const int Directions = 3;

    /// <summary>The random directions a large variable is checked along at each point.</summary>
    public static int DirectionsPerPoint => Directions;

    /// <summary>
    /// For a variable with many entries (a 1000×1000 matrix), the derivative applied to a few random directions V,
    /// J·vec(V), against the difference quotient of f along V: as strict a test of a wrong formula, at the cost of
    /// a few evaluations instead of one per entry. The symbolic values are contracted to match.
    /// </summary>
    private static (double[] Values, double[] Errors) Directional(Expr f, Var x, Dictionary<string, Tensor> values, List<Var> vars,
        ref double[] symbolic, Random rng)
    {
        var x0 = values[x.Name];
        int n = x0.Length;
        int m = symbolic.Length / n;
        var num = new double[Directions * m];
        var err = new double[Directions * m];
        var sym = new double[Directions * m];
        for (int k = 0; k < Directions; k++)
        {
            Budget.CheckNow();
            var v = new double[n];
            for (int j = 0; j < n; j++) v[j] = rng.NextDouble() * 2 - 1;
            if (x.Symmetric)
                for (int r = 0; r < x0.Rows; r++)
                    for (int c = r + 1; c < x0.Cols; c++) v[c * x0.Cols + r] = v[r * x0.Cols + c];
            for (int i = 0; i < m; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += symbolic[i * n + j] * v[j];
                sym[k * m + i] = s;
            }
            double scale = 1e-3 * Math.Max(1, x0.MaxAbs());
            var (d, e) = Ridders(h => AlongDirection(f, x, v, h, values, vars), scale);
            Array.Copy(d, 0, num, k * m, m);
            Array.Copy(e, 0, err, k * m, m);
        }
        symbolic = sym;
        return (num, err);
    }

    private static double[] AlongDirection(Expr f, Var x, double[] v, double h, Dictionary<string, Tensor> values, List<Var> vars)
    {
        var t = values[x.Name];
        var plus = (double[])t.Data.Clone();
        var minus = (double[])t.Data.Clone();
        for (int j = 0; j < v.Length; j++) { plus[j] += h * v[j]; minus[j] -= h * v[j]; }
        var vp = new Dictionary<string, Tensor>(values) { [x.Name] = t.Like(plus) };
        var vm = new Dictionary<string, Tensor>(values) { [x.Name] = t.Like(minus) };
        var fp = new Evaluator(vp, vars).Evaluate(f).Data;
        var fm = new Evaluator(vm, vars).Evaluate(f).Data;
        var d = new double[fp.Length];
        for (int i = 0; i < d.Length; i++) d[i] = (fp[i] - fm[i]) / (2 * h);
        return d;
    }

    /// <summary>Finite differences of <paramref name="f"/> in each entry of x, laid out as f's shape ++ x's shape.</summary>
    public static Tensor FiniteDifference(Expr f, Var x, Dictionary<string, Tensor> values, IEnumerable<Var> vars)
    {
        var (data, _) = Differences(f, x, values, vars.ToList());
        var x0 = values[x.Name];
        int n = x0.Length, m = data.Length / Math.Max(1, n);
        // Layout: for scalar f the result has x's shape; otherwise rows are f's entries, columns x's entries.
        if (m == 1 || f.Shape.IsScalar) return x0.Like(data);
        if (x.Shape.IsScalar) return new Tensor(f.Shape.Kind, f.Shape.Kind == ShapeKind.Row ? 1 : m, f.Shape.Kind == ShapeKind.Row ? m : 1, data);
        return new Tensor(ShapeKind.Matrix, m, n, data);
    }

    /// <summary>
    /// Derivatives of every entry of f by every entry of x (row-major: f's entries, then x's) and an estimate
    /// of each one's error: Ridders' extrapolation of central differences from h = 1e-3·max(1, |x_j|) down
    /// by halves. Where a step leaves the domain (log of a negative entry, a singular matrix) it starts smaller.
    /// </summary>
    private static (double[] Values, double[] Errors) Differences(Expr f, Var x, Dictionary<string, Tensor> values, List<Var> vars)
    {
        var x0 = values[x.Name];
        int n = x0.Length;
        double[][]? cols = null, errs = null;
        for (int j = 0; j < n; j++)
        {
            Budget.CheckNow();
            var (d, e) = RiddersColumn(f, x, j, values, vars);
            cols ??= new double[n][];
            errs ??= new double[n][];
            cols[j] = d;
            errs[j] = e;
        }
        if (cols is null) return ([], []);
        int m = cols[0].Length;
        var data = new double[m * n];
        var err = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) { data[i * n + j] = cols[j][i]; err[i * n + j] = errs![j][i]; }
        return (data, err);
    }

    private static (double[] D, double[] E) RiddersColumn(Expr f, Var x, int j, Dictionary<string, Tensor> values, List<Var> vars) =>
        Ridders(h => Central(f, x, j, h, values, vars), 1e-3 * Math.Max(1, Math.Abs(values[x.Name].Data[j])));

    /// <summary>
    /// Ridders' extrapolation of central differences g(h) from h0 down by halves, with the error estimate of each
    /// entry; where a step leaves the domain (log of a negative entry, a singular matrix) it starts smaller.
    /// </summary>
    private static (double[] D, double[] E) Ridders(Func<double, double[]> central, double h0)
    {
        const int levels = 4;
        const double con = 2, con2 = con * con;
        for (int attempt = 0; ; attempt++, h0 /= 30)
        {
            try
            {
                double h = h0;
                var a = new double[levels][][];
                for (int r = 0; r < levels; r++) a[r] = new double[levels][];
                a[0][0] = central(h);
                int m = a[0][0].Length;
                var best = (double[])a[0][0].Clone();
                var err = Enumerable.Repeat(double.PositiveInfinity, m).ToArray();
                for (int i = 1; i < levels; i++)
                {
                    h /= con;
                    a[0][i] = central(h);
                    double fac = con2;
                    for (int k = 1; k <= i; k++)
                    {
                        a[k][i] = new double[m];
                        for (int q = 0; q < m; q++)
                        {
                            double v = (a[k - 1][i][q] * fac - a[k - 1][i - 1][q]) / (fac - 1);
                            a[k][i][q] = v;
                            double e = Math.Max(Math.Abs(v - a[k - 1][i][q]), Math.Abs(v - a[k - 1][i - 1][q]));
                            if (e <= err[q]) { err[q] = e; best[q] = v; }
                        }
                        fac *= con2;
                    }
                }
                for (int q = 0; q < m; q++) if (double.IsNaN(err[q])) err[q] = double.PositiveInfinity;
                return (best, err);
            }
            catch (NablaException e) when (e.Diagnostic.Code == ErrorCodes.DomainError && attempt < 3)
            {
                // A step left the domain: start again with a smaller one.
            }
        }
    }

    private static double[] Central(Expr f, Var x, int j, double h, Dictionary<string, Tensor> values, List<Var> vars)
    {
        var fp = new Evaluator(Perturb(values, x, j, h, x.Symmetric), vars).Evaluate(f).Data;
        var fm = new Evaluator(Perturb(values, x, j, -h, x.Symmetric), vars).Evaluate(f).Data;
        var d = new double[fp.Length];
        for (int i = 0; i < d.Length; i++) d[i] = (fp[i] - fm[i]) / (2 * h);
        return d;
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
