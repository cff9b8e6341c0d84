using System.Diagnostics;
using Nabla.LinearAlgebra;

namespace Nabla.Optimization;

/// <summary>How <see cref="Minimizer"/> steps.</summary>
public enum Method
{
    /// <summary>Steepest descent with a strong-Wolfe line search: the seed's method, for teaching and comparison.</summary>
    GradientDescent,
    /// <summary>Limited-memory BFGS with a strong-Wolfe line search (the default).</summary>
    Lbfgs,
    /// <summary>Newton's method on the exact Hessian, shifted to positive definite where it is not, with a line search.</summary>
    Newton,
    /// <summary>
    /// Truncated Newton: the Newton step by conjugate gradients on Hessian-vector products (which Nabla derives, so the
    /// Hessian is never formed), stopped early at negative curvature or once the residual is small, with a line search.
    /// For many unknowns, where the Hessian would not fit.
    /// </summary>
    NewtonCg,
}

/// <summary>Why a minimisation stopped. Only <see cref="Converged"/> is a result; every other reason is a warning.</summary>
public enum StopReason
{
    /// <summary>The gradient's largest entry fell to the tolerance.</summary>
    Converged,
    /// <summary>No step along the search direction lowered the value (a kink, noise, or a tolerance below what the arithmetic can reach).</summary>
    Stalled,
    /// <summary>The iteration limit came first.</summary>
    IterationLimit,
    /// <summary>The value fell without bound (below -1e300) or the point grew past 1e150: the objective has no minimum there.</summary>
    Diverged,
    /// <summary>The value or the gradient is not a number (or infinite) at the start, or the objective could not be evaluated there.</summary>
    NotFinite,
}

/// <summary>Options of a minimisation; the defaults suit smooth problems of a few to a few million unknowns.</summary>
public sealed class MinimizeOptions
{
    /// <summary>The method (L-BFGS unless asked).</summary>
    public Method Method { get; init; } = Method.Lbfgs;

    /// <summary>Converged when the gradient's largest entry is at most this.</summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>The most iterations taken before stopping.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>The number of correction pairs L-BFGS keeps.</summary>
    public int Memory { get; init; } = 10;

    /// <summary>Called after every iteration.</summary>
    public Action<MinimizeProgress>? Progress { get; init; }

    /// <summary>Lower bounds by variable name, for every entry of the variable (<c>Objective.Minimize</c>); the method is then projected.</summary>
    public IReadOnlyDictionary<string, double>? Lower { get; init; }

    /// <summary>Upper bounds by variable name, likewise.</summary>
    public IReadOnlyDictionary<string, double>? Upper { get; init; }
}

/// <summary>Where a minimisation is after an iteration.</summary>
public readonly record struct MinimizeProgress(int Iteration, double Value, double GradientNorm);

/// <summary>What a minimisation found on the flat vector of unknowns, and why it stopped.</summary>
public sealed record MinimizeRun(double[] X, double Value, double GradientNorm, int Iterations, int Evaluations, TimeSpan Time, StopReason Reason, string Message)
{
    /// <summary>Whether the run stopped because the gradient tolerance was met.</summary>
    public bool Converged => Reason == StopReason.Converged;
}

/// <summary>What <c>Objective.Minimize</c> found, by variable, and why it stopped.</summary>
public sealed record MinimizeResult(IReadOnlyDictionary<string, Tensor> Minimizer, double Value, double GradientNorm, int Iterations,
    int Evaluations, TimeSpan Time, StopReason Reason, string Message)
{
    /// <summary>Whether the gradient reached the tolerance: only then is <see cref="Minimizer"/> a minimiser.</summary>
    public bool Converged => Reason == StopReason.Converged;
}

/// <summary>
/// Minimisation of a smooth function of a flat vector, given its value and gradient (and, for Newton, its Hessian):
/// the engine behind <c>Objective.Minimize</c>, which compiles those from Nabla's own derivatives.
/// </summary>
public static class Minimizer
{
    /// <summary>Writes the gradient at x into g and returns the value (throws for a point outside the domain).</summary>
    public delegate double ValueAndGradient(ReadOnlySpan<double> x, Span<double> g);

    /// <summary>Writes the Hessian at x (n×n, row-major) into h.</summary>
    public delegate void HessianAt(ReadOnlySpan<double> x, Span<double> h);

    /// <summary>Writes H(x)·v into hv.</summary>
    public delegate void HessianTimes(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv);

    private const double C1 = 1e-4;

    /// <param name="fg">The value and gradient.</param>
    /// <param name="start">The starting point (moved into the bounds where it is outside them).</param>
    /// <param name="options">Method, tolerance, limits.</param>
    /// <param name="hessian">The Hessian, for Newton.</param>
    /// <param name="lower">Lower bounds entry by entry (-∞ for none); with bounds the method is projected (L-BFGS or gradient descent).</param>
    /// <param name="upper">Upper bounds entry by entry (+∞ for none).</param>
    /// <param name="hessianTimes">Hessian-vector products, for Newton-CG.</param>
    public static MinimizeRun Run(ValueAndGradient fg, double[] start, MinimizeOptions? options = null, HessianAt? hessian = null,
        double[]? lower = null, double[]? upper = null, HessianTimes? hessianTimes = null)
    {
        var o = options ?? new MinimizeOptions();
        if (o.Method == Method.NewtonCg && hessianTimes is null) throw new ArgumentException("Newton-CG needs Hessian-vector products", nameof(hessianTimes));
        if (o.Method == Method.NewtonCg && (lower is not null || upper is not null)) throw new ArgumentException("Newton-CG does not take bounds here");
        if (lower is not null || upper is not null) return Bounded(fg, start, o, lower, upper);
        if (o.Method == Method.Newton && hessian is null) throw new ArgumentException("Newton's method needs the Hessian", nameof(hessian));
        if (o.MaxIterations < 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxIterations must be at least 0");
        var clock = Stopwatch.StartNew();
        int n = start.Length, evaluations = 0;
        var x = (double[])start.Clone();
        var g = new double[n];
        double f;
        try { f = fg(x, g); evaluations++; }
        catch (Diagnostics.NablaException e)
        {
            return new MinimizeRun(x, double.NaN, double.NaN, 0, 1, clock.Elapsed, StopReason.NotFinite, $"the objective cannot be evaluated at the start: {e.Diagnostic.Message}");
        }
        double gn = NormInf(g);
        if (!double.IsFinite(f) || !double.IsFinite(gn))
            return new MinimizeRun(x, f, gn, 0, evaluations, clock.Elapsed, StopReason.NotFinite,
                $"the {(double.IsFinite(f) ? "gradient" : "value")} is not finite at the start ({(double.IsFinite(f) ? gn : f)})");
        var s = new List<double[]>();
        var y = new List<double[]>();
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var h = o.Method == Method.Newton ? new double[n * n] : [];
        double lastStep = 1;
        int it = 0, flat = 0;
        StopReason reason;
        string message;
        while (true)
        {
            if (gn <= o.GradientTolerance) { reason = StopReason.Converged; message = $"converged: the gradient's largest entry is {gn:G3} ≤ {o.GradientTolerance:G3}"; break; }
            if (it >= o.MaxIterations) { reason = StopReason.IterationLimit; message = $"not converged: stopped at the iteration limit ({o.MaxIterations}) with the gradient's largest entry {gn:G3}"; break; }
            // The search direction.
            switch (o.Method)
            {
                case Method.GradientDescent:
                    for (int i = 0; i < n; i++) d[i] = -g[i];
                    break;
                case Method.Lbfgs:
                    TwoLoop(g, s, y, d);
                    break;
                case Method.NewtonCg:
                    evaluations += TruncatedCg(hessianTimes!, x, g, d);
                    break;
                default:
                    hessian!(x, h);
                    NewtonDirection(h, g, d, n);
                    break;
            }
            double slope = Dot(g, d);
            if (!(slope < 0)) // not a descent direction (a stale L-BFGS memory): start again from the gradient
            {
                s.Clear(); y.Clear();
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = -Dot(g, g);
            }
            double alpha0 = o.Method switch
            {
                Method.Newton or Method.NewtonCg => 1,
                Method.Lbfgs when s.Count > 0 => 1,
                _ => it == 0 ? Math.Min(1, 1 / Math.Max(NormInf(g), 1e-300)) : lastStep * 1.5,
            };
            var (alpha, fNew, evals) = LineSearch(fg, x, f, g, d, slope, alpha0, xNew, gNew, 0.9);
            evaluations += evals;
            if (alpha == 0)
            {
                reason = StopReason.Stalled;
                message = $"stalled: no step along the search direction lowers the value (at iteration {it}, gradient's largest entry {gn:G3}); a kink, or a tolerance below what the arithmetic can reach";
                break;
            }
            it++;
            if (o.Method == Method.Lbfgs) Remember(s, y, x, xNew, g, gNew, o.Memory);
            double fOld = f;
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            f = fNew;
            gn = NormInf(g);
            lastStep = alpha;
            o.Progress?.Invoke(new MinimizeProgress(it, f, gn));
            if (f < -1e300 || NormInf(x) > 1e150)
            {
                reason = StopReason.Diverged;
                message = $"diverged: the value fell to {f:G3} with the point's largest entry {NormInf(x):G3}; the objective has no minimum along this path";
                break;
            }
            flat = fOld == f ? flat + 1 : 0;
            if (flat >= 20 && gn > o.GradientTolerance)
            {
                reason = StopReason.Stalled;
                message = $"stalled: the value has not changed in 20 iterations (gradient's largest entry {gn:G3})";
                break;
            }
        }
        return new MinimizeRun(x, f, gn, it, evaluations, clock.Elapsed, reason, message);
    }

    /// <summary>
    /// Bound-constrained minimisation, projected: the L-BFGS direction (or the gradient's) on the variables not held at
    /// a bound, a backtracking search along the projected path P(x + αd) for sufficient decrease, and convergence on
    /// the projected gradient (the gradient with the entries that push against an active bound set to 0).
    /// </summary>
    private static MinimizeRun Bounded(ValueAndGradient fg, double[] start, MinimizeOptions o, double[]? lower, double[]? upper)
    {
        if (o.Method == Method.Newton) throw new ArgumentException("Newton's method does not take bounds here: use L-BFGS or gradient descent");
        var clock = Stopwatch.StartNew();
        int n = start.Length, evaluations = 0;
        var lo = lower ?? Enumerable.Repeat(double.NegativeInfinity, n).ToArray();
        var hi = upper ?? Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        for (int i = 0; i < n; i++)
            if (!(lo[i] <= hi[i])) throw new ArgumentException($"the lower bound {lo[i]} is above the upper bound {hi[i]} (entry {i})");
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.Clamp(start[i], lo[i], hi[i]);
        var g = new double[n];
        double f;
        try { f = fg(x, g); evaluations++; }
        catch (Diagnostics.NablaException e)
        {
            return new MinimizeRun(x, double.NaN, double.NaN, 0, 1, clock.Elapsed, StopReason.NotFinite, $"the objective cannot be evaluated at the start: {e.Diagnostic.Message}");
        }
        if (!double.IsFinite(f) || !g.All(double.IsFinite))
            return new MinimizeRun(x, f, double.NaN, 0, evaluations, clock.Elapsed, StopReason.NotFinite, $"the {(double.IsFinite(f) ? "gradient" : "value")} is not finite at the start");
        var s = new List<double[]>();
        var y = new List<double[]>();
        var d = new double[n];
        var gf = new double[n];
        var xt = new double[n];
        var gt = new double[n];
        bool[] held = new bool[n];
        int it = 0, flat = 0;
        StopReason reason;
        string message;
        double Projected()
        {
            double m = 0;
            for (int i = 0; i < n; i++)
            {
                // ε-active: at (or within a hair of) a bound with the gradient pushing outward.
                double eps = 1e-12 * Math.Max(1, Math.Abs(x[i]));
                held[i] = (x[i] <= lo[i] + eps && g[i] > 0) || (x[i] >= hi[i] - eps && g[i] < 0);
                gf[i] = held[i] ? 0 : g[i];
                m = Math.Max(m, Math.Abs(gf[i]));
            }
            return m;
        }
        double pgn = Projected();
        while (true)
        {
            if (pgn <= o.GradientTolerance) { reason = StopReason.Converged; message = $"converged: the projected gradient's largest entry is {pgn:G3} ≤ {o.GradientTolerance:G3}"; break; }
            if (it >= o.MaxIterations) { reason = StopReason.IterationLimit; message = $"not converged: stopped at the iteration limit ({o.MaxIterations}) with the projected gradient's largest entry {pgn:G3}"; break; }
            if (o.Method == Method.Lbfgs) TwoLoop(gf, s, y, d);
            else for (int i = 0; i < n; i++) d[i] = -gf[i];
            for (int i = 0; i < n; i++) if (held[i]) d[i] = 0;
            if (!(Dot(d, gf) < 0))
            {
                s.Clear(); y.Clear();
                for (int i = 0; i < n; i++) d[i] = -gf[i];
            }
            double alpha = o.Method == Method.Lbfgs && s.Count > 0 ? 1 : Math.Min(1, 1 / Math.Max(NormInf(gf), 1e-300)) * (it == 0 ? 1 : 2);
            double ft = double.NaN;
            bool accepted = false;
            for (int k = 0; k < 60 && !accepted; k++, alpha *= 0.5)
            {
                for (int i = 0; i < n; i++) xt[i] = Math.Clamp(x[i] + alpha * d[i], lo[i], hi[i]);
                try { ft = fg(xt, gt); } catch (Diagnostics.NablaException) { ft = double.NaN; }
                evaluations++;
                double decrease = 0;
                for (int i = 0; i < n; i++) decrease += g[i] * (xt[i] - x[i]);
                // Sufficient decrease; or, where the decrease is below the value's rounding, a slope that flattened.
                if (double.IsFinite(ft) && (ft <= f + C1 * decrease || (ft <= f + 1e-13 * Math.Abs(f) && Math.Abs(Dot(gt, d)) < Math.Abs(Dot(g, d)))))
                    accepted = true;
                if (accepted) break;
            }
            if (!accepted)
            {
                reason = StopReason.Stalled;
                message = $"stalled: no step along the projected search path lowers the value (at iteration {it}, projected gradient's largest entry {pgn:G3})";
                break;
            }
            it++;
            bool moved = Remember(s, y, x, xt, g, gt, o.Memory);
            double fOld = f;
            Array.Copy(xt, x, n);
            Array.Copy(gt, g, n);
            f = ft;
            pgn = Projected();
            o.Progress?.Invoke(new MinimizeProgress(it, f, pgn));
            if (f < -1e300 || NormInf(x) > 1e150)
            {
                reason = StopReason.Diverged;
                message = $"diverged: the value fell to {f:G3} with the point's largest entry {NormInf(x):G3}; the objective has no minimum in the bounds";
                break;
            }
            flat = fOld == f && !moved ? flat + 1 : 0;
            if (flat >= 20) { reason = StopReason.Stalled; message = $"stalled: the point has not moved in 20 iterations (projected gradient's largest entry {pgn:G3})"; break; }
        }
        return new MinimizeRun(x, f, pgn, it, evaluations, clock.Elapsed, reason, message);
    }

    /// <summary>
    /// A step length satisfying the strong Wolfe conditions (Nocedal and Wright, algorithms 3.5 and 3.6, with cubic
    /// interpolation), or 0 when none lowers the value. Leaves the new point and its gradient in xNew, gNew.
    /// </summary>
    private static (double Alpha, double Value, int Evaluations) LineSearch(ValueAndGradient fg, double[] x, double f0, double[] g0, double[] d,
        double slope0, double alpha1, double[] xNew, double[] gNew, double c2)
    {
        int evals = 0;
        double Phi(double a, out double dphi)
        {
            for (int i = 0; i < x.Length; i++) xNew[i] = x[i] + a * d[i];
            double v;
            try { v = fg(xNew, gNew); }
            catch (Diagnostics.NablaException) { v = double.NaN; } // outside the domain: treated as too long a step
            evals++;
            dphi = Dot(gNew, d);
            if (!double.IsFinite(v) || !double.IsFinite(dphi)) { dphi = double.NaN; return double.PositiveInfinity; }
            return v;
        }
        // Near a minimum the value's decrease sinks below its rounding (|f| times the machine epsilon) before the gradient
        // reaches the tolerance; there a step is judged by the slope alone (Hager and Zhang's approximate Wolfe conditions).
        double fuzz = 1e-13 * Math.Abs(f0);
        bool Approximate(double fa, double da) => fa <= f0 + fuzz && da >= 0.9 * slope0 && da <= -0.9 * slope0 && Math.Abs(da) < Math.Abs(slope0);
        // Steps stop where the point would pass 1e150 (the caller calls that diverged).
        double aMax = 1.01e150 / Math.Max(NormInf(d), 1e-300);
        double aPrev = 0, fPrev = f0, dPrev = slope0, a = Math.Min(alpha1, aMax);
        for (int k = 0; k < 60; k++)
        {
            double fa = Phi(a, out double da);
            if (double.IsInfinity(fa) && double.IsNaN(da)) { a *= 0.1; if (a < 1e-300) break; continue; } // shrink out of a non-finite region
            if (fa > f0 + C1 * a * slope0 && Approximate(fa, da)) return (a, fa, evals);
            if (fa > f0 + C1 * a * slope0 || (k > 0 && fa >= fPrev))
                return Zoom(aPrev, fPrev, dPrev, a, fa, da);
            if (Math.Abs(da) <= -c2 * slope0) return (a, fa, evals);
            if (da >= 0) return Zoom(a, fa, da, aPrev, fPrev, dPrev);
            aPrev = a; fPrev = fa; dPrev = da;
            if (fa < -1e300 || a >= aMax) break; // falling without bound: the caller says diverged
            a = Math.Min(a * (k < 20 ? 4 : 1e4), aMax); // then faster: a linear objective's steps grow without end
        }
        // Still falling at the longest step tried (xNew, gNew hold it): take it; an objective with no minimum diverges.
        if (aPrev > 0) return (aPrev, fPrev, evals);
        return Fallback();

        (double, double, int) Zoom(double lo, double flo, double dlo, double hi, double fhi, double dhi)
        {
            for (int k = 0; k < 60; k++)
            {
                double a = Cubic(lo, flo, dlo, hi, fhi, dhi);
                double fa = Phi(a, out double da);
                if (fa > f0 + C1 * a * slope0 && Approximate(fa, da)) return (a, fa, evals);
                if (fa > f0 + C1 * a * slope0 || fa >= flo) { hi = a; fhi = fa; dhi = da; }
                else
                {
                    if (Math.Abs(da) <= -c2 * slope0) return (a, fa, evals);
                    if (da * (hi - lo) >= 0) { hi = lo; fhi = flo; dhi = dlo; }
                    lo = a; flo = fa; dlo = da;
                }
                if (Math.Abs(hi - lo) <= 1e-16 * Math.Max(1, Math.Abs(lo))) break;
            }
            // The interval closed without the curvature condition: accept the best decrease found, if any.
            if (lo > 0 && flo < f0)
            {
                Phi(lo, out _);
                return (lo, flo, evals);
            }
            return Fallback();
        }

        (double, double, int) Fallback()
        {
            // Backtracking for sufficient decrease alone, the last resort before "stalled".
            for (double b = alpha1; b > 1e-20; b *= 0.5)
            {
                double fb = Phi(b, out _);
                if (fb < f0 + C1 * b * slope0) return (b, fb, evals);
            }
            for (int i = 0; i < x.Length; i++) xNew[i] = x[i];
            Array.Copy(g0, gNew, g0.Length);
            return (0, f0, evals);
        }
    }

    /// <summary>The minimiser of the cubic through two points with their slopes, kept inside the interval (else bisection).</summary>
    private static double Cubic(double a, double fa, double da, double b, double fb, double db)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b), width = hi - lo;
        if (double.IsFinite(fa) && double.IsFinite(fb) && double.IsFinite(da) && double.IsFinite(db))
        {
            double d1 = da + db - 3 * (fa - fb) / (a - b);
            double disc = d1 * d1 - da * db;
            if (disc >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(disc);
                double t = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
                if (double.IsFinite(t) && t > lo + 0.1 * width && t < hi - 0.1 * width) return t;
            }
        }
        return (a + b) / 2;
    }

    /// <summary>
    /// The Newton step d ≈ -H⁻¹g by conjugate gradients on H·v (Nocedal and Wright, algorithm 7.1): the residual is
    /// driven below min(0.5, √‖g‖)·‖g‖; at negative or zero curvature it stops with the step so far (the steepest descent
    /// step if that is the first). Returns the Hessian-vector products it used.
    /// </summary>
    private static int TruncatedCg(HessianTimes hv, double[] x, double[] g, double[] d)
    {
        int n = g.Length, products = 0;
        var r = (double[])g.Clone();          // residual H·z + g, with z = 0
        var p = new double[n];
        var hp = new double[n];
        for (int i = 0; i < n; i++) { d[i] = 0; p[i] = -r[i]; }
        double gnorm = Math.Sqrt(Dot(g, g)), tol = Math.Min(0.5, Math.Sqrt(gnorm)) * gnorm, rr = Dot(r, r);
        for (int k = 0; k < Math.Max(10, 2 * n); k++)
        {
            hv(x, p, hp);
            products++;
            double curv = Dot(p, hp);
            if (!(curv > 1e-300 * Dot(p, p)))
            {
                if (k == 0) for (int i = 0; i < n; i++) d[i] = -g[i];
                break;
            }
            double a = rr / curv;
            for (int i = 0; i < n; i++) { d[i] += a * p[i]; r[i] += a * hp[i]; }
            double rrNew = Dot(r, r);
            if (Math.Sqrt(rrNew) <= tol) break;
            double beta = rrNew / rr;
            for (int i = 0; i < n; i++) p[i] = -r[i] + beta * p[i];
            rr = rrNew;
        }
        return products;
    }

    /// <summary>d = -H⁻¹g by Cholesky, shifting H by τI (growing from 1e-8 of its diagonal) until it is positive definite.</summary>
    private static void NewtonDirection(double[] h, double[] g, double[] d, int n)
    {
        var blas = Blas.Managed;
        var a = new double[n * n];
        double scale = 0;
        for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(h[i * n + i]));
        double tau = 0;
        for (int attempt = 0; attempt < 60; attempt++)
        {
            Array.Copy(h, a, n * n);
            for (int i = 0; i < n; i++) a[i * n + i] += tau;
            if (blas.Potrf(n, a))
            {
                for (int i = 0; i < n; i++) d[i] = -g[i];
                blas.Potrs(n, 1, a, d);
                if (d.All(double.IsFinite)) return;
            }
            tau = tau == 0 ? Math.Max(1e-8 * scale, 1e-12) : tau * 10;
        }
        for (int i = 0; i < n; i++) d[i] = -g[i];
    }

    /// <summary>
    /// Keeps the correction pair (x' - x, g' - g) when its curvature is positive (dropping the oldest past
    /// <paramref name="memory"/>); returns whether the point moved at all.
    /// </summary>
    private static bool Remember(List<double[]> s, List<double[]> y, double[] x, double[] xNew, double[] g, double[] gNew, int memory)
    {
        int n = x.Length;
        var sk = new double[n];
        var yk = new double[n];
        for (int i = 0; i < n; i++) { sk[i] = xNew[i] - x[i]; yk[i] = gNew[i] - g[i]; }
        if (Dot(sk, yk) > 1e-12 * Math.Sqrt(Dot(sk, sk) * Dot(yk, yk)))
        {
            s.Add(sk); y.Add(yk);
            if (s.Count > memory) { s.RemoveAt(0); y.RemoveAt(0); }
        }
        return NormInf(sk) != 0;
    }

    /// <summary>The L-BFGS two-loop recursion: d = -H·g with the inverse-Hessian approximation of the stored pairs.</summary>
    internal static void TwoLoop(double[] g, List<double[]> s, List<double[]> y, double[] d)
    {
        Array.Copy(g, d, g.Length);
        int m = s.Count;
        var a = new double[m];
        for (int k = m - 1; k >= 0; k--)
        {
            a[k] = Dot(s[k], d) / Dot(y[k], s[k]);
            Orthogonal.Axpy(-a[k], y[k], d);
        }
        double gamma = m > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1;
        for (int i = 0; i < d.Length; i++) d[i] *= gamma;
        for (int k = 0; k < m; k++)
        {
            double b = Dot(y[k], d) / Dot(y[k], s[k]);
            Orthogonal.Axpy(a[k] - b, s[k], d);
        }
        for (int i = 0; i < d.Length; i++) d[i] = -d[i];
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => Orthogonal.Dot(a, b);

    private static double NormInf(ReadOnlySpan<double> v)
    {
        double m = 0;
        foreach (var e in v)
        {
            if (double.IsNaN(e)) return double.NaN;
            m = Math.Max(m, Math.Abs(e));
        }
        return m;
    }
}
