using Nabla.Optimization;
using Nabla.Data;
using System.Globalization;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Models;


/// <summary>What a solver route produced, in design coordinates (the intercept first when fitted).</summary>
internal sealed record Solution(double[] W, double[]? Cov, int Rank, List<double[]> Nulls, string Solver, double Condition, List<string> Notes);

/// <summary>
/// Ordinary least squares, the seed's way: minimise Q(w) = norm2(X*w-y)^2, whose gradient 2*X'*(X*w-y)
/// vanishes at the normal equations X'X w = X'y. Solved by Cholesky when X'X is well conditioned; otherwise
/// the rank, the condition number and the dependent columns are reported and the minimum-norm (or ridge)
/// solution is returned with a warning. Never a silently wrong w.
/// </summary>
public static class LinearRegression
{
    /// <summary>Relative residual pivot below which the normal equations call a column dependent.</summary>
    internal const double GramTolerance = 1e-12;

    /// <summary>Above this condition estimate of the scaled X'X, auto prefers QR/SVD on the rows (κ(X) ≳ 10³).</summary>
    internal const double AutoSwitchCondition = 1e6;

    /// <summary>Fits y on the columns of the n×d matrix <paramref name="x"/> (see <see cref="Fit(double[], int, int, double[], RegressionOptions?)"/>).</summary>
    public static RegressionResult Fit(double[,] x, double[] y, RegressionOptions? options = null)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var flat = new double[n * d];
        Buffer.BlockCopy(x, 0, flat, 0, flat.Length * sizeof(double));
        return Fit(flat, n, d, y, options);
    }

    /// <summary>Fits the vector <paramref name="y"/> on the columns of the matrix <paramref name="x"/>.</summary>
    public static RegressionResult Fit(Tensor x, Tensor y, RegressionOptions? options = null)
    {
        if (y.Length != x.Rows) throw new ArgumentException($"X has {x.Rows} rows but y has {y.Length} entries");
        return Fit(x.Data, x.Rows, x.Cols, y.Data, options);
    }

    /// <summary>Fits y ≈ X w (+ intercept) for row-major <paramref name="x"/> (n×d).</summary>
    public static RegressionResult Fit(double[] x, int n, int d, double[] y, RegressionOptions? options = null)
    {
        options ??= new RegressionOptions();
        if (x.Length != (long)n * d) throw new ArgumentException($"X has {x.Length} entries, not n×d = {n}×{d}");
        if (y.Length != n) throw new ArgumentException($"X has {n} rows but y has {y.Length} entries");
        if (TakesWideRoute(n, d, options)) return FitWide(new RowData(x, n, d, y), options);
        var acc = new GramAccumulator(d);
        acc.Add(x, y, n);
        var sums = acc.Result();
        // a NaN or an infinity anywhere reaches the sums; only then look for where it is
        if (!sums.Centred.All(double.IsFinite) || !sums.Means.All(double.IsFinite))
        {
            for (int i = 0; i < x.Length; i++)
                if (!double.IsFinite(x[i])) throw new ArgumentException($"X[{i / d}, {i % d}] is {x[i]}: every value must be finite");
            for (int i = 0; i < n; i++)
                if (!double.IsFinite(y[i])) throw new ArgumentException($"y[{i}] is {y[i]}: every value must be finite");
            throw new ArgumentException("the sums of squares overflow: rescale the data");
        }
        return Solve(sums, new RowData(x, n, d, y), options);
    }

    /// <summary>Fits from the sufficient statistics alone (streamed data): the normal-equations route.</summary>
    public static RegressionResult FromSums(GramSums sums, RegressionOptions? options = null) => Solve(sums, null, options ?? new RegressionOptions());

    /// <summary>
    /// The fit from sums computed elsewhere (a SQL engine's aggregates), with the residual sum of squares at the
    /// solution computed by <paramref name="exactRss"/> over the rows (no cancellation in y'y - β'X'y).
    /// </summary>
    public static RegressionResult FromSums(GramSums sums, RegressionOptions options, Func<double[], double> exactRss) => Solve(sums, null, options, exactRss);

    internal static RegressionResult Solve(GramSums g, RowData? data, RegressionOptions o, Func<double[], double>? exactRss = null)
    {
        int d = g.D, off = o.Intercept ? 1 : 0, p = d + off;
        if (g.N == 0) throw new ArgumentException("there are no rows to fit");
        if (!(o.Ridge >= 0) || double.IsInfinity(o.Ridge)) throw new ArgumentException($"ridge must be a finite λ ≥ 0, not {o.Ridge}");
        var features = o.FeatureNames?.ToList() ?? [.. Enumerable.Range(1, d).Select(j => $"x{j}")];
        if (features.Count != d) throw new ArgumentException($"{features.Count} feature names for {d} features");
        var names = o.Intercept ? [o.InterceptName, .. features] : features;
        var (graw, xty, yty) = g.Design(o.Intercept);
        CheckRange(g, graw, yty, o.Intercept, features, o.TargetName ?? "y");
        var rms = new double[p];
        for (int j = 0; j < p; j++) rms[j] = Math.Sqrt(Math.Max(graw[j * p + j], 0) / g.W);

        // the Gram analysis: centred (with an intercept) or raw cross-products, rank revealed left to right
        var m = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) m[i * d + j] = o.Intercept ? g.C(i, j) : graw[i * p + j];
        var chol = Cholesky.Factor(m, d, GramTolerance);
        double scaledCond = chol.Rank == 0 ? 1 : chol.ConditionEstimate();

        var solver = o.Solver;
        if (o.Ridge > 0 && solver is Solver.Gd or Solver.Qr or Solver.Svd)
            throw new ArgumentException("ridge is solved by the normal equations: use --solver auto or normal with it");
        if (solver == Solver.Auto)
            solver = data is not null && (chol.Rank < d || scaledCond > AutoSwitchCondition) ? Solver.Svd : Solver.Normal;
        if (solver is Solver.Qr or Solver.Svd or Solver.Gd && data is null)
            throw new ArgumentException($"the {solver.ToString().ToLowerInvariant()} solver needs the rows in memory");

        Solution sol = o.Ridge > 0 ? RidgeSolve(g, chol, o, names, rms)
            : solver switch
            {
                Solver.Normal or Solver.Gd => NormalSolve(g, chol, graw, o.Intercept, names, rms),
                _ => Equilibrated(data!, rms, graw, o.Intercept, scaled => OrthogonalSolve(scaled, o.Intercept, solver)),
            };
        // The condition number reported is the design's own (statsmodels'), not that of the scaled columns solved.
        if (sol.Solver is "qr" or "svd" or "qr+svd" && double.IsFinite(sol.Condition)) sol = sol with { Condition = DesignCondition(graw, p) };
        // A design the rank decision found singular has an infinite one (any finite figure would be rounding noise).
        if (sol.Rank < p) sol = sol with { Condition = double.PositiveInfinity };
        if (solver == Solver.Gd && o.Ridge == 0)
        {
            int iterations = 0;
            string text = "";
            double reduction = 0;
            var gd = Equilibrated(data!, rms, graw, o.Intercept, scaled =>
            {
                (var w, iterations, text, reduction) = GradientSolver.Fit(scaled, o.Intercept);
                return sol with { W = w, Cov = null, Nulls = [] };
            });
            // From 0 the iterates stay in the scaled design's row space: the minimum-norm solution there, not in the
            // caller's units. The normal equations' null space (scale-aware) maps it back to the minimum-norm one.
            if (sol.Nulls.Count > 0) gd = gd with { W = Dependencies.MinimumNorm(gd.W, Dependencies.Orthonormal(sol.Nulls)) };
            var notes = new List<string>(sol.Notes) { $"gd: L-BFGS on Nabla's gradient {text}, {iterations} iterations, on columns scaled to unit RMS" };
            if (reduction > GradientSolver.Converged)
                notes.Add($"gd did not converge: after {iterations} iterations the gradient is still {reduction:G3} of its starting size; w is not the least-squares solution (the normal or svd solver gives it)");
            sol = sol with { W = gd.W, Solver = "gd", Notes = notes };
        }
        var dependencies = Dependencies.FromNullVectors(sol.Nulls, names, rms);
        // RSS from the sums loses about log10(Σ(y-ȳ)²/RSS) digits; recompute it from the rows where that matters
        double rss = GramRss(g, sol.W, o.Intercept, graw, xty, yty);
        if (exactRss is not null) rss = exactRss(sol.W);
        else if (data is not null && (sol.Solver != "normal" || sol.Nulls.Count > 0 || !(rss > 1e-6 * (g.C(d, d) + (o.Intercept ? 0 : g.W * g.Means[d] * g.Means[d])))))
            rss = data.Rss(sol.W, o.Intercept);
        return Summaries.Build(Moments.Of(g), o, names, features, sol, dependencies, rss, scaledCond);
    }

    /// <summary>
    /// Values whose squares leave double precision (about 1e±154 and beyond) make the cross-products infinite or
    /// zero: an error naming the column and the rescaling, never a fit of w = 0 or a crash.
    /// </summary>
    private static void CheckRange(GramSums g, double[] graw, double yty, bool intercept, List<string> features, string target)
    {
        int d = g.D, off = intercept ? 1 : 0, p = d + off;
        var squares = new double[d + 1];
        for (int j = 0; j < d; j++) squares[j] = graw[(j + off) * p + j + off];
        squares[d] = yty;
        CheckRange(g.Means, squares, [.. Enumerable.Range(0, d + 1).Select(j => g.C(j, j))], g.Centred.All(double.IsFinite), g.W, features, target);
    }

    /// <summary>The range check on the means, the raw sums of squares Σx² and the centred ones (y last in each).</summary>
    private static void CheckRange(double[] means, double[] squares, double[] centred, bool allCentredFinite, double total, List<string> features, string target)
    {
        int d = means.Length - 1;
        for (int j = 0; j <= d; j++)
        {
            string name = j < d ? features[j] : target;
            double mean = means[j];
            if (!double.IsFinite(mean) || !double.IsFinite(squares[j]) || !allCentredFinite && !double.IsFinite(centred[j]))
                throw new ArgumentException($"the values of '{name}' are too large for double precision: their squares overflow; divide the column by a power of ten (such as 1e150) and fit again");
            if (mean != 0 && squares[j] < 1e-290 * total)
                throw new ArgumentException($"the values of '{name}' are too small for double precision (about {Math.Abs(mean):E1}): their squares underflow; multiply the column by a power of ten (such as 1e150) and fit again");
        }
        if (!allCentredFinite)
            throw new ArgumentException("the cross-products of the columns overflow double precision; rescale the largest columns and fit again");
    }

    /// <summary>
    /// Whether a fit takes the wide route (<see cref="WideRegression"/>): fewer rows than design columns, unpenalised
    /// least squares by the auto, svd or qr solver. Those fits never form the p×p Gram matrix.
    /// </summary>
    internal static bool TakesWideRoute(long n, int d, RegressionOptions o) => n < d + (o.Intercept ? 1 : 0) && MayTakeWideRoute(o);

    /// <summary>Whether these options allow the wide route at all (unpenalised, by auto, svd or qr).</summary>
    internal static bool MayTakeWideRoute(RegressionOptions o) => o.Ridge == 0 && o.Solver is Solver.Auto or Solver.Svd or Solver.Qr;

    /// <summary>The fit of a wide design from its rows (see <see cref="TakesWideRoute"/>): the moments in one pass, no Gram matrix.</summary>
    internal static RegressionResult FitWide(RowData data, RegressionOptions o, Func<double[], double>? exactRss = null)
    {
        int n = data.N, d = data.D, off = o.Intercept ? 1 : 0, p = d + off;
        if (n == 0) throw new ArgumentException("there are no rows to fit");
        var features = o.FeatureNames?.ToList() ?? [.. Enumerable.Range(1, d).Select(j => $"x{j}")];
        if (features.Count != d) throw new ArgumentException($"{features.Count} feature names for {d} features");
        var names = o.Intercept ? [o.InterceptName, .. features] : features;
        for (long i = 0; i < data.X.Length; i++)
            if (!double.IsFinite(data.X[i])) throw new ArgumentException($"X[{i / d}, {i % d}] is {data.X[i]}: every value must be finite");
        for (int i = 0; i < n; i++)
            if (!double.IsFinite(data.Y[i])) throw new ArgumentException($"y[{i}] is {data.Y[i]}: every value must be finite");
        // means, raw and centred sums of squares of every column and y (two passes over the rows, no cancellation)
        var means = new double[d + 1];
        var squares = new double[d + 1];
        var centred = new double[d + 1];
        for (int i = 0; i < n; i++)
        {
            var row = data.X.AsSpan((int)((long)i * d), d);
            for (int j = 0; j < d; j++) { means[j] += row[j]; squares[j] += row[j] * row[j]; }
            means[d] += data.Y[i];
            squares[d] += data.Y[i] * data.Y[i];
        }
        for (int j = 0; j <= d; j++) means[j] /= n;
        for (int i = 0; i < n; i++)
        {
            var row = data.X.AsSpan((int)((long)i * d), d);
            for (int j = 0; j < d; j++) { double c = row[j] - means[j]; centred[j] += c * c; }
            double cy = data.Y[i] - means[d];
            centred[d] += cy * cy;
        }
        CheckRange(means, squares, centred, centred.All(double.IsFinite), n, features, o.TargetName ?? "y");
        var rms = new double[p];
        if (o.Intercept) rms[0] = 1;
        for (int j = 0; j < d; j++) rms[j + off] = Math.Sqrt(squares[j] / n);
        var sol = WideRegression.Solve(data, o.Intercept, o.Solver);
        var dependencies = Dependencies.FromNullVectors(sol.Nulls, names, rms);
        double rss = exactRss?.Invoke(sol.W) ?? data.Rss(sol.W, o.Intercept);
        // Without an intercept the ones vector is in the columns' span when the rows are independent (rank n):
        // then every vector of length n is.
        var moments = new Moments(n, n, d, means, centred, () => sol.Rank == n);
        return Summaries.Build(moments, o, names, features, sol, dependencies, rss, 1);
    }

    /// <summary>Normal equations: Cholesky of the centred (or raw) Gram; dependent columns skipped, then the minimum-norm projection.</summary>
    private static Solution NormalSolve(GramSums g, Cholesky chol, double[] graw, bool intercept, List<string> names, double[] rms)
    {
        int d = g.D, off = intercept ? 1 : 0, p = d + off;
        var rhs = new double[d];
        for (int j = 0; j < d; j++) rhs[j] = intercept ? g.C(j, d) : g.C(j, d) + g.W * g.Means[j] * g.Means[d];
        var slopes = chol.Solve(rhs);
        var w = new double[p];
        slopes.CopyTo(w, off);
        if (intercept)
        {
            double b0 = g.Means[d];
            for (int j = 0; j < d; j++) b0 -= g.Means[j] * slopes[j];
            w[0] = b0;
        }
        var nulls = new List<double[]>();
        var m = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) m[i * d + j] = intercept ? g.C(i, j) : graw[i * p + j];
        foreach (int j in chol.Dependent)
        {
            // x_j = Σ a_k x_k (+ c0 with an intercept): the null vector e_j - Σ a_k e_k - c0 e_0
            var a = chol.Relation(m, j);
            var v = new double[p];
            v[j + off] = 1;
            for (int k = 0; k < d; k++) v[k + off] -= a[k];
            if (intercept)
            {
                double c0 = g.Means[j];
                for (int k = 0; k < d; k++) c0 -= a[k] * g.Means[k];
                v[0] = -c0;
            }
            nulls.Add(v);
        }
        var notes = new List<string>();
        double[] cov;
        if (nulls.Count == 0)
        {
            var inv = chol.Inverse();
            cov = new double[p * p];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) cov[(i + off) * p + j + off] = inv[i * d + j];
            if (intercept)
            {
                // (D'D)⁻¹ = [[1/n + m'C⁻¹m, -m'C⁻¹], [-C⁻¹m, C⁻¹]]
                var cm = new double[d];
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++) cm[i] += inv[i * d + j] * g.Means[j];
                double v00 = 1.0 / g.W;
                for (int i = 0; i < d; i++) { v00 += g.Means[i] * cm[i]; cov[(i + 1) * p] = cov[i + 1] = -cm[i]; }
                cov[0] = v00;
            }
        }
        else
        {
            var basis = Dependencies.Orthonormal(nulls);
            w = Dependencies.MinimumNorm(w, basis);
            cov = Dependencies.PseudoInverse(graw, p, basis);
        }
        return new Solution(w, cov, chol.Rank + off, nulls, "normal", DesignCondition(graw, p), notes);
    }

    /// <summary>Ridge: (C + λI) w = c with the intercept unpenalised (centred), or (X'X + λI) w = X'y without one.</summary>
    private static Solution RidgeSolve(GramSums g, Cholesky chol, RegressionOptions o, List<string> names, double[] rms)
    {
        int d = g.D, off = o.Intercept ? 1 : 0, p = d + off;
        var (graw, xty, _) = g.Design(o.Intercept);
        var a = new double[d * d];
        var rhs = new double[d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++) a[i * d + j] = o.Intercept ? g.C(i, j) : graw[(i + off) * p + j + off];
            a[i * d + i] += o.Ridge;
            rhs[i] = o.Intercept ? g.C(i, d) : xty[i];
        }
        var f = Cholesky.Factor(a, d, 0);
        var slopes = f.Solve(rhs);
        var w = new double[p];
        slopes.CopyTo(w, off);
        if (o.Intercept)
        {
            double b0 = g.Means[d];
            for (int j = 0; j < d; j++) b0 -= g.Means[j] * slopes[j];
            w[0] = b0;
        }
        var normal = NormalSolve(g, chol, graw, o.Intercept, names, rms);
        return new Solution(w, null, normal.Rank, normal.Nulls, "ridge", normal.Condition, []);
    }

    /// <summary>QR of the rows, then (for svd, or qr when R is singular) the SVD of R: the pseudo-inverse solution.</summary>
    private static Solution OrthogonalSolve(RowData data, bool intercept, Solver solver)
    {
        if (data.N < data.D + (intercept ? 1 : 0)) return WideRegression.Solve(data, intercept, solver);
        var cols = data.DesignColumns(intercept);
        int p = cols.Length;
        var (r, qty, _) = Orthogonal.QrWithTarget(cols, data.Y);
        var (u, s, v) = Orthogonal.Svd(r, p);
        double tol = (s.Length > 0 ? s[0] : 0) * Math.Max(data.N, p) * 2.220446049250313e-16; // numpy's matrix_rank
        int rank = s.Count(x => x > tol);
        double cond = s.Length == 0 ? 1 : s[^1] > 0 ? s[0] / s[^1] : double.PositiveInfinity;
        var w = new double[p];
        var cov = new double[p * p];
        string name = solver == Solver.Qr ? "qr" : "svd";
        if (solver == Solver.Qr && rank == p)
        {
            // back substitution R w = Q'y; (D'D)⁻¹ = R⁻¹R⁻ᵀ
            for (int i = p - 1; i >= 0; i--)
            {
                double acc = qty[i];
                for (int j = i + 1; j < p; j++) acc -= r[i * p + j] * w[j];
                w[i] = acc / r[i * p + i];
            }
            var rinv = new double[p * p];
            for (int c = 0; c < p; c++)
                for (int i = c; i >= 0; i--)
                {
                    double acc = i == c ? 1 : 0;
                    for (int j = i + 1; j <= c; j++) acc -= r[i * p + j] * rinv[j * p + c];
                    rinv[i * p + c] = acc / r[i * p + i];
                }
            for (int i = 0; i < p; i++)
                for (int j = 0; j < p; j++)
                {
                    double acc = 0;
                    for (int k = Math.Max(i, j); k < p; k++) acc += rinv[i * p + k] * rinv[j * p + k];
                    cov[i * p + j] = acc;
                }
        }
        else
        {
            if (solver == Solver.Qr) name = "qr+svd";
            for (int k = 0; k < rank; k++)
            {
                double c = Orthogonal.Dot(u[k], qty) / s[k];
                Orthogonal.Axpy(c, v[k], w);
                for (int i = 0; i < p; i++)
                    for (int j = 0; j < p; j++) cov[i * p + j] += v[k][i] * v[k][j] / (s[k] * s[k]);
            }
        }
        var nulls = new List<double[]>();
        for (int k = rank; k < p; k++) nulls.Add(v[k]);
        return new Solution(w, cov, rank, nulls, name, cond, []);
    }

    /// <summary>
    /// Solves on the rows with every column (and y) scaled to unit RMS, then maps the solution back: rank decisions
    /// and gradient steps must not depend on the units of a column (a column of size 1e150 beside one of size 1 is
    /// not a dependency, and a step that suits one does not suit the other). With X_s = X S and y_s = y / r:
    /// w = r S w_s, (X'X)⁻¹ = S (X_s'X_s)⁻¹ S, and a null vector v_s of X_s is S v_s for X.
    /// </summary>
    private static Solution Equilibrated(RowData data, double[] rms, double[] graw, bool intercept, Func<RowData, Solution> solve)
    {
        int n = data.N, d = data.D, off = intercept ? 1 : 0, p = d + off;
        if (n < p) return solve(data); // wide: the null space may be too large to list, and min-norm is not scale-free
        var s = new double[p];
        for (int j = 0; j < p; j++) s[j] = rms[j] > 0 && double.IsFinite(1 / rms[j]) ? 1 / rms[j] : 1;
        double ry = Math.Sqrt(data.Y.Sum(v => v * v) / n);
        if (!(ry > 0) || !double.IsFinite(1 / ry)) ry = 1;
        var x = new double[data.X.Length];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[(long)i * d + j] = data.X[(long)i * d + j] * s[j + off];
        var sol = solve(new RowData(x, n, d, data.Y.Select(v => v / ry).ToArray()));
        var w = sol.W.Select((v, j) => v * s[j] * ry).ToArray();
        double[]? cov = sol.Cov is null ? null : [.. sol.Cov.Select((v, k) => v * s[k / p] * s[k % p])];
        var nulls = sol.Nulls.Select(v =>
        {
            var u = v.Select((c, j) => c * s[j]).ToArray();
            double norm = Math.Sqrt(u.Sum(c => c * c));
            return norm > 0 ? u.Select(c => c / norm).ToArray() : u;
        }).ToList();
        if (nulls.Count > 0)
        {
            // The minimum-norm solution is not scale-free: take it in the caller's units, off the null space mapped back.
            var basis = Dependencies.Orthonormal(nulls);
            w = Dependencies.MinimumNorm(w, basis);
            if (cov is not null) cov = Dependencies.PseudoInverse(graw, p, basis);
        }
        return sol with { W = w, Cov = cov, Nulls = nulls };
    }

    /// <summary>A null space of up to this many dimensions is written out as relations between columns.</summary>
    public const int MaxRelationsNamed = 50;

    /// <summary>√(λmax/λmin) of the design's Gram matrix (statsmodels' condition number), from its eigenvalues.</summary>
    private static double DesignCondition(double[] graw, int p)
    {
        if (p == 0) return 1;
        if (p > 300) return Math.Sqrt(Cholesky.Factor(graw, p, 0).ConditionEstimate());
        var s = Orthogonal.SingularValues(graw, p); // G is symmetric PSD: its singular values are its eigenvalues
        return s[^1] > 0 ? Math.Sqrt(s[0] / s[^1]) : double.PositiveInfinity;
    }

    /// <summary>RSS from the sums alone (streamed data): centred, so the cancellation is that of the residual, not of the raw sums.</summary>
    private static double GramRss(GramSums g, double[] w, bool intercept, double[] graw, double[] xty, double yty)
    {
        int d = g.D;
        double rss;
        if (intercept)
        {
            rss = g.C(d, d);
            for (int i = 0; i < d; i++)
            {
                rss -= 2 * w[i + 1] * g.C(i, d);
                for (int j = 0; j < d; j++) rss += w[i + 1] * g.C(i, j) * w[j + 1];
            }
        }
        else
        {
            rss = yty;
            for (int i = 0; i < d; i++)
            {
                rss -= 2 * w[i] * xty[i];
                for (int j = 0; j < d; j++) rss += w[i] * graw[i * d + j] * w[j];
            }
        }
        return Math.Max(rss, 0);
    }

    internal static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
