using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Simplify;

namespace Nabla.Convexity;

/// <summary>The answer to "is this convex in these variables?".</summary>
public enum Verdict
{
    /// <summary>Convex: the Hessian is certified positive semi-definite.</summary>
    Convex,
    /// <summary>Strictly convex: the Hessian is certified positive definite.</summary>
    StrictlyConvex,
    /// <summary>Concave: the Hessian is certified negative semi-definite.</summary>
    Concave,
    /// <summary>Strictly concave: the Hessian is certified negative definite.</summary>
    StrictlyConcave,
    /// <summary>Affine: the Hessian is zero.</summary>
    Affine,
    /// <summary>Not convex: a witness point and direction of negative curvature, checked by finite differences.</summary>
    NotConvex,
    /// <summary>Neither a certificate nor a witness was found.</summary>
    Unknown,
}

/// <summary>A point and a direction where the second derivative along the direction is negative, checked by finite differences of the objective.</summary>
public sealed record Witness(IReadOnlyDictionary<string, Tensor> At, IReadOnlyDictionary<string, Tensor> Direction,
    double Curvature, double SecondDifference, double Step, int Seed);

/// <summary>The verdict, the certificate's steps (or why there is none), the Hessian, and a witness for "not convex".</summary>
public sealed record ConvexityResult(Verdict Verdict, string Wrt, string? Hessian, IReadOnlyList<string> Steps, Witness? Witness)
{
    /// <summary>The Hessian as an expression (null where it is a tensor Nabla gives in index form).</summary>
    public Expr? HessianExpr { get; init; }

    /// <summary>For a matrix variable, the second differential d²f in a direction dX, as text (null otherwise).</summary>
    public string? SecondDifferential { get; init; }

    /// <summary>That second differential as an expression, and its direction variable.</summary>
    public (Expr Form, Var D)? Form { get; init; }

    /// <summary>The verdict in words: "convex", "strictly convex", "not convex", ….</summary>
    public string VerdictText => Verdict switch
    {
        Verdict.StrictlyConvex => "strictly convex",
        Verdict.StrictlyConcave => "strictly concave",
        Verdict.NotConvex => "not convex",
        _ => Verdict.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Convexity from the Hessian Nabla derives: the certificate's rules (<see cref="Certificate"/>) on H for convex,
/// on -H for concave, H = 0 for affine; otherwise a seeded search for a point and a direction with d'*H*d &lt; 0
/// (on the Hessian's values, or on second differences of f where the Hessian is a tensor), confirmed by finite
/// differences of f itself — "not convex" is never said without one. The variables' domains are the functions'
/// natural ones (log's argument positive, …), as <see cref="RandomPoint"/> draws them.
/// </summary>
public static class ConvexityAnalysis
{
    /// <summary>The search for a witness of non-convexity: random points drawn, and random directions tried at each.</summary>
    public const int Points = 80, DirectionsPerPoint = 25;

    /// <summary>The convexity of the scalar <paramref name="f"/> in <paramref name="x"/>: a certificate from the Hessian, or a checked witness against it, or unknown.</summary>
    public static ConvexityResult Analyze(Expr f, Var x, IReadOnlyList<Var> variables, int seed = 1, IReadOnlyDictionary<string, Semantics.VarType>? declarations = null)
    {
        if (!f.Shape.IsScalar) throw new NablaException(ErrorCodes.NotDifferentiable, "convexity is asked of a scalar objective; this expression is not a scalar");
        var natural = NaturalDomain(f);
        declarations = Present(declarations, variables);
        var declaredPositive = Declared(declarations, Semantics.VarDomain.Positive);
        var spd = Declared(declarations, Semantics.VarDomain.Spd);
        var psd = Declared(declarations, Semantics.VarDomain.Psd);
        var positive = new HashSet<string>(natural.Concat(declaredPositive), StringComparer.Ordinal);
        var steps = new List<string>();
        var naturalOnly = natural.Where(n => !declaredPositive.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (declaredPositive.Count + spd.Count + psd.Count > 0)
            steps.Add("over the declared domain: " + string.Join(", ", declaredPositive.Order(StringComparer.Ordinal).Select(n => $"{n} > 0")
                .Concat(spd.Order(StringComparer.Ordinal).Select(n => $"{n} symmetric positive definite"))
                .Concat(psd.Order(StringComparer.Ordinal).Select(n => $"{n} symmetric positive semi-definite"))));
        if (naturalOnly.Count > 0)
            steps.Add($"over the domain where f is defined: {string.Join(", ", naturalOnly)} > 0 (entry by entry)");
        Expr? h = null;
        if (!Derivatives.NeedsIndexForm(f, x, DerivativeKind.Hessian))
        {
            try { h = Simplifier.Simplify(Derivatives.Derive(f, x, DerivativeKind.Hessian)); }
            catch (NablaException e) when (e.Diagnostic.Code is ErrorCodes.Unsupported or ErrorCodes.NotDifferentiable) { steps.Add($"no closed-form Hessian: {e.Diagnostic.Message}"); }
        }
        string? hText = h is null ? null : TextPrinter.PrintResult(h);
        if (h is not null)
        {
            steps.Add($"H = {hText}");
            if (IsZero(h))
            {
                steps.Add("H = 0: f is affine in " + x.Name);
                return new ConvexityResult(Verdict.Affine, x.Name, hText, steps, null) { HessianExpr = h };
            }
            var up = new Certificate(positive) { Spd = spd, Psd = psd };
            var d = up.Classify(h);
            if (d is Definiteness.SemiDefinite or Definiteness.Definite)
            {
                steps.AddRange(up.Steps);
                bool strict = d == Definiteness.Definite;
                steps.Add($"so z'*H*z {(strict ? "> 0 for every z ≠ 0" : "≥ 0 for every z")}: H is positive {(strict ? "" : "semi-")}definite everywhere ⇒ {(strict ? "strictly convex" : "convex")} in {x.Name}");
                return new ConvexityResult(strict ? Verdict.StrictlyConvex : Verdict.Convex, x.Name, hText, steps, null) { HessianExpr = h };
            }
            var down = new Certificate(positive) { Spd = spd, Psd = psd };
            var dn = down.ClassifyNegative(h);
            if (dn is Definiteness.SemiDefinite or Definiteness.Definite)
            {
                steps.AddRange(down.Steps);
                bool strict = dn == Definiteness.Definite;
                steps.Add($"so z'*H*z {(strict ? "< 0 for every z ≠ 0" : "≤ 0 for every z")}: H is negative {(strict ? "" : "semi-")}definite everywhere ⇒ {(strict ? "strictly concave" : "concave")} in {x.Name}");
                return new ConvexityResult(strict ? Verdict.StrictlyConcave : Verdict.Concave, x.Name, hText, steps, null) { HessianExpr = h };
            }
            steps.Add("no rule certifies H positive or negative semi-definite");
        }
        // a matrix variable: the Hessian is a 4-index tensor, so the certificate is on the quadratic form d²f[dX, dX]
        var form = h is null ? SecondDifferential(f, x, variables) : null;
        if (form is { } q)
        {
            string qText = TextPrinter.PrintResult(q.Form);
            steps.Add($"the second differential in the direction {q.D.Name}: d²f = {qText}");
            if (IsZero(q.Form))
            {
                steps.Add("d²f = 0 for every direction: f is affine in " + x.Name);
                return new ConvexityResult(Verdict.Affine, x.Name, null, steps, null) { SecondDifferential = qText, Form = q };
            }
            foreach (int sign in new[] { 1, -1 })
            {
                var c = new Certificate(positive) { Spd = spd, Psd = psd, Direction = q.D };
                var d = sign > 0 ? c.Classify(q.Form) : c.ClassifyNegative(q.Form);
                if (d is not (Definiteness.SemiDefinite or Definiteness.Definite)) continue;
                steps.AddRange(c.Steps);
                bool strict = d == Definiteness.Definite;
                string rel = sign > 0 ? (strict ? "> 0" : "≥ 0") : (strict ? "< 0" : "≤ 0");
                string word = sign > 0 ? (strict ? "strictly convex" : "convex") : (strict ? "strictly concave" : "concave");
                steps.Add($"so d²f {rel} for every direction {q.D.Name}{(strict ? " ≠ 0" : "")}, at every point ⇒ {word} in {x.Name}");
                var verdict = sign > 0 ? (strict ? Verdict.StrictlyConvex : Verdict.Convex) : (strict ? Verdict.StrictlyConcave : Verdict.Concave);
                return new ConvexityResult(verdict, x.Name, null, steps, null) { SecondDifferential = qText, Form = q };
            }
            steps.Add("no rule certifies d²f non-negative or non-positive");
        }
        var witness = Search(f, h, x, variables, seed, positive, spd.Concat(psd).ToHashSet());
        if (witness is not null)
        {
            steps.Add($"at the point and direction below (seed {seed}), d'*H*d = {G(witness.Curvature)} < 0, and f(x+t*d) + f(x-t*d) - 2*f(x) = {G(witness.SecondDifference)} < 0 at t = {G(witness.Step)} ⇒ not convex");
            return new ConvexityResult(Verdict.NotConvex, x.Name, hText, steps, witness);
        }
        steps.Add($"no negative curvature found in {Points * DirectionsPerPoint} seeded probes; no certificate either ⇒ unknown");
        return new ConvexityResult(Verdict.Unknown, x.Name, hText, steps, null);
    }

    /// <summary>
    /// The second differential d²f = d(df) in one direction D of x's shape (symmetric where x is): the quadratic form
    /// vec(D)'*H*vec(D) of the Hessian, as an expression — for a matrix variable, where H itself is a 4-index tensor.
    /// Null where a differential rule is missing.
    /// </summary>
    public static (Expr Form, Var D)? SecondDifferential(Expr f, Var x, IReadOnlyList<Var> variables)
    {
        string name = "d" + x.Name;
        for (int k = 2; variables.Any(v => v.Name == name); k++) name = $"d{x.Name}_{k}";
        var d = new Var(name, x.Shape, x.Symmetric);
        try
        {
            var df = Simplifier.Simplify(new Differentials(x, d).ExpandAll(f));
            var d2 = Simplifier.Simplify(new Differentials(x, d).ExpandAll(df));
            return (d2, d);
        }
        catch (NablaException e) when (e.Diagnostic.Code is ErrorCodes.Unsupported or ErrorCodes.NotDifferentiable or ErrorCodes.LimitExceeded) { return null; }
    }

    /// <summary>
    /// The variables f's functions need positive: the direct argument of log or sqrt, the base of a fractional power.
    /// (Not a denominator — 1/x is defined for x &lt; 0 too — and not log's argument when it is an expression.)
    /// </summary>
    public static IReadOnlySet<string> NaturalDomain(Expr f)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        void Scan(Expr e)
        {
            if (e is Call { Op.Name: "log" or "sqrt", Args: [Var v] }) set.Add(v.Name);
            if (e is Power { Base: Var b, Exponent: Num k } && k.Value != Math.Floor(k.Value)) set.Add(b.Name);
            foreach (var c in e.Children) Scan(c);
        }
        Scan(f);
        return set;
    }

    /// <summary>Values for a probe: RandomPoint's shapes (and its SPD matrices where inv or logdet need them), entries redrawn at a random scale; the natural domain's variables log-uniform in [e⁻³, e³].</summary>
    internal static Dictionary<string, Tensor> Draw(Expr f, IReadOnlyList<Var> variables, IReadOnlySet<string> positive, Random rng, IReadOnlySet<string>? definite = null)
    {
        var values = RandomPoint.Draw(f, variables, rng);
        var (_, spd) = RandomPoint.Domains(f);
        foreach (var v in variables)
            if (definite is not null && definite.Contains(v.Name) && values[v.Name] is { Kind: ShapeKind.Matrix } m && m.Rows == m.Cols)
                values[v.Name] = RandomPoint.Spd(m.Rows, rng, shift: true);
        double[] scales = [0.3, 1, 3, 10];
        double scale = scales[rng.Next(scales.Length)];
        foreach (var v in variables)
        {
            if (spd.Contains(v.Name) || (definite?.Contains(v.Name) ?? false)) continue;
            var t = values[v.Name];
            var d = new double[t.Length];
            for (int i = 0; i < d.Length; i++) d[i] = positive.Contains(v.Name) ? Math.Exp(rng.NextDouble() * 6 - 3) : scale * (rng.NextDouble() * 2 - 1);
            if (v.Symmetric)
                for (int i = 0; i < t.Rows; i++)
                    for (int j = 0; j < i; j++) d[i * t.Cols + j] = d[j * t.Cols + i];
            values[v.Name] = new Tensor(t.Kind, t.Rows, t.Cols, d);
        }
        return values;
    }

    /// <summary>
    /// Convexity in several variables jointly, through the block Hessian H_ij = ∂(∇_i f)/∂x_j: certified where the
    /// off-diagonal blocks vanish (f separable in them) and each diagonal block is; otherwise the joint witness search.
    /// </summary>
    public static ConvexityResult AnalyzeJointly(Expr f, IReadOnlyList<Var> xs, IReadOnlyList<Var> variables, int seed = 1, IReadOnlyDictionary<string, Semantics.VarType>? declarations = null)
    {
        if (xs.Count == 1) return Analyze(f, xs[0], variables, seed, declarations);
        if (!f.Shape.IsScalar) throw new NablaException(ErrorCodes.NotDifferentiable, "convexity is asked of a scalar objective; this expression is not a scalar");
        if (xs.Select(x => x.Name).Distinct().Count() != xs.Count) throw new NablaException(ErrorCodes.BadRequest, "a variable is named twice in --wrt");
        string names = string.Join(", ", xs.Select(x => x.Name));
        var steps = new List<string>();
        Expr[,]? blocks = null;
        if (xs.All(x => x.Shape.Kind is ShapeKind.Scalar or ShapeKind.Vector))
        {
            try
            {
                blocks = new Expr[xs.Count, xs.Count];
                for (int i = 0; i < xs.Count; i++)
                {
                    var g = Simplifier.Simplify(Derivatives.Derive(f, xs[i], DerivativeKind.Gradient));
                    for (int j = 0; j < xs.Count; j++)
                        blocks[i, j] = Simplifier.Simplify(Derivatives.Derive(g, xs[j], g.Shape.IsScalar ? DerivativeKind.Gradient : DerivativeKind.Jacobian));
                }
            }
            catch (NablaException e) when (e.Diagnostic.Code is ErrorCodes.Unsupported or ErrorCodes.NotDifferentiable)
            {
                blocks = null;
                steps.Add($"no closed-form block Hessian: {e.Diagnostic.Message}");
            }
        }
        var single = xs.Select(x => Analyze(f, x, variables, seed, declarations)).ToList();
        if (blocks is not null)
        {
            for (int i = 0; i < xs.Count; i++)
                for (int j = 0; j < xs.Count; j++)
                    steps.Add($"H[{xs[i].Name},{xs[j].Name}] = {TextPrinter.PrintResult(blocks[i, j])}");
            bool separable = true;
            for (int i = 0; i < xs.Count; i++)
                for (int j = 0; j < xs.Count; j++)
                    if (i != j && !IsZero(blocks[i, j])) separable = false;
            if (separable)
            {
                steps.Add($"the off-diagonal blocks are 0: H is block diagonal, and z'*H*z is the sum of each block's form");
                bool Convex(Verdict v) => v is Verdict.Convex or Verdict.StrictlyConvex or Verdict.Affine;
                bool Concave(Verdict v) => v is Verdict.Concave or Verdict.StrictlyConcave or Verdict.Affine;
                foreach (var r in single) steps.Add($"in {r.Wrt}: {r.VerdictText}");
                Verdict? joint = single.All(r => r.Verdict == Verdict.Affine) ? Verdict.Affine
                    : single.All(r => Convex(r.Verdict)) ? (single.All(r => r.Verdict == Verdict.StrictlyConvex) ? Verdict.StrictlyConvex : Verdict.Convex)
                    : single.All(r => Concave(r.Verdict)) ? (single.All(r => r.Verdict == Verdict.StrictlyConcave) ? Verdict.StrictlyConcave : Verdict.Concave)
                    : null;
                if (joint is { } v)
                {
                    steps.Add($"⇒ {new ConvexityResult(v, names, null, [], null).VerdictText} in {names} jointly");
                    return new ConvexityResult(v, names, null, steps, null);
                }
            }
            else if (xs.All(x => x.Shape.IsScalar) && AllEqual(blocks) && new Certificate(NaturalDomain(f)).RangeOf(blocks[0, 0]) is { IsNonNegative: true } c)
            {
                // H = c·1·1': z'*H*z = c·(Σ z)² ≥ 0
                steps.Add($"every block is {TextPrinter.PrintResult(blocks[0, 0])} ∈ {c}: H = c*1*1', so z'*H*z = c*sum(z)^2 ≥ 0 ⇒ convex in {names} jointly");
                return new ConvexityResult(Verdict.Convex, names, null, steps, null);
            }
            else if (xs.Count == 2 && xs.All(x => x.Shape.IsScalar) && Schur(blocks, NaturalDomain(f).Concat(Declared(Present(declarations, variables), Semantics.VarDomain.Positive)).ToHashSet(), steps, names) is { } v2)
                return new ConvexityResult(v2, names, null, steps, null);
            else steps.Add("the off-diagonal blocks are not 0: no rule certifies the joint Hessian");
        }
        // not convex in one of them is not convex jointly (restrict the direction to it)
        var natural = NaturalDomain(f);
        var positive = new HashSet<string>(natural.Concat(Declared(declarations, Semantics.VarDomain.Positive)), StringComparer.Ordinal);
        var definite = Declared(declarations, Semantics.VarDomain.Spd).Concat(Declared(declarations, Semantics.VarDomain.Psd)).ToHashSet();
        var witness = Search(f, blocks, xs, variables, seed, positive, definite);
        if (witness is null && single.FirstOrDefault(r => r.Verdict == Verdict.NotConvex) is { Witness: { } w1 }) witness = w1;
        if (witness is not null)
        {
            steps.Add($"at the point and direction below (seed {seed}), d'*H*d = {G(witness.Curvature)} < 0, and f(x+t*d) + f(x-t*d) - 2*f(x) = {G(witness.SecondDifference)} < 0 at t = {G(witness.Step)} ⇒ not convex");
            return new ConvexityResult(Verdict.NotConvex, names, null, steps, witness);
        }
        steps.Add($"no negative curvature found in {Points * DirectionsPerPoint} seeded probes; no certificate either ⇒ unknown");
        return new ConvexityResult(Verdict.Unknown, names, null, steps, null);
    }

    /// <summary>
    /// Two scalars: H = [a b; b c] is positive semi-definite iff a ≥ 0, c ≥ 0 and det H = a*c - b^2 ≥ 0 (every
    /// principal minor), definite iff a &gt; 0 and det H &gt; 0; negative (semi-)definite likewise with a, c ≤ 0.
    /// </summary>
    private static Verdict? Schur(Expr[,] h, IReadOnlySet<string> positive, List<string> steps, string names)
    {
        var cert = new Certificate(positive);
        var det = Simplifier.Simplify(new Add([new Mul([h[0, 0], h[1, 1]]), new Neg(new Mul([h[0, 1], h[1, 0]]))]));
        Interval ra = cert.RangeOf(h[0, 0]), rc = cert.RangeOf(h[1, 1]), rd = cert.RangeOf(det);
        if (!rd.IsNonNegative) return null;
        bool convex = ra.IsNonNegative && rc.IsNonNegative, concave = ra.IsNonPositive && rc.IsNonPositive;
        if (!convex && !concave) return null;
        bool strict = rd.IsPositive && (convex ? ra.IsPositive : ra.IsNegative);
        string word = convex ? (strict ? "strictly convex" : "convex") : (strict ? "strictly concave" : "concave");
        steps.Add($"H = [a b; b c] with a = {TextPrinter.PrintResult(h[0, 0])} ∈ {ra}, c = {TextPrinter.PrintResult(h[1, 1])} ∈ {rc}, and det H = a*c - b^2 = {TextPrinter.PrintResult(det)} ∈ {rd}");
        steps.Add($"every principal minor of {(convex ? "H" : "-H")} is {(strict ? "> 0" : "≥ 0")} ⇒ {(convex ? "H" : "-H")} is positive {(strict ? "" : "semi-")}definite ⇒ {word} in {names} jointly");
        return convex ? (strict ? Verdict.StrictlyConvex : Verdict.Convex) : (strict ? Verdict.StrictlyConcave : Verdict.Concave);
    }

    private static bool AllEqual(Expr[,] blocks)
    {
        foreach (var b in blocks) if (!b.Equals(blocks[0, 0])) return false;
        return true;
    }

    private static string G(double v) => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsZero(Expr h) => h is Num { Value: 0 } || h is Fill { Value: Num { Value: 0 } };

    // the declarations of the variables f has (a declaration of another is no part of its domain)
    private static IReadOnlyDictionary<string, Semantics.VarType>? Present(IReadOnlyDictionary<string, Semantics.VarType>? declarations, IReadOnlyList<Var> variables) =>
        declarations?.Where(kv => variables.Any(v => v.Name == kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static HashSet<string> Declared(IReadOnlyDictionary<string, Semantics.VarType>? declarations, Semantics.VarDomain domain) =>
        declarations is null ? [] : declarations.Where(kv => kv.Value.Domain == domain).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>A seeded search for d'*H*d &lt; 0, confirmed by second differences of f.</summary>
    public static Witness? Search(Expr f, Expr? h, Var x, IReadOnlyList<Var> variables, int seed, IReadOnlySet<string>? positive = null, IReadOnlySet<string>? definite = null) =>
        Search(f, h is null ? null : new[,] { { h } }, [x], variables, seed, positive, definite);

    /// <summary>The search for several variables at once: d is a direction in all of them, H their block Hessian.</summary>
    public static Witness? Search(Expr f, Expr[,]? blocks, IReadOnlyList<Var> xs, IReadOnlyList<Var> variables, int seed, IReadOnlySet<string>? positive = null, IReadOnlySet<string>? definite = null)
    {
        var rng = new Random(seed);
        for (int point = 0; point < Points; point++)
        {
            Dictionary<string, Tensor> values;
            try { values = Draw(f, variables, positive ?? NaturalDomain(f), rng, definite); }
            catch (NablaException) { return null; }
            double f0;
            try { f0 = Evaluator.Evaluate(f, values, variables).ScalarValue; } catch (NablaException) { continue; }
            if (!double.IsFinite(f0)) continue;
            var sizes = xs.Select(x => values[x.Name].Length).ToArray();
            var offsets = new int[xs.Count + 1];
            for (int i = 0; i < xs.Count; i++) offsets[i + 1] = offsets[i] + sizes[i];
            int n = offsets[^1];
            double[]? hv = blocks is null ? null : new double[n * n];
            if (blocks is not null)
            {
                try
                {
                    for (int i = 0; i < xs.Count; i++)
                        for (int j = 0; j < xs.Count; j++)
                        {
                            var b = Evaluator.Evaluate(blocks[i, j], values, variables);
                            if (b.Length == 1 && sizes[i] * sizes[j] != 1)
                            {
                                // a zero block may come back as one 0
                                if (b.Data[0] != 0) throw new NablaException(ErrorCodes.InternalError, "a Hessian block has the wrong size");
                                continue;
                            }
                            if (b.Length != sizes[i] * sizes[j]) throw new NablaException(ErrorCodes.InternalError, "a Hessian block has the wrong size");
                            for (int r = 0; r < sizes[i]; r++)
                                for (int c = 0; c < sizes[j]; c++) hv![(offsets[i] + r) * n + offsets[j] + c] = b.Data[r * sizes[j] + c];
                        }
                }
                catch (NablaException) { hv = null; }
            }
            for (int k = 0; k < DirectionsPerPoint; k++)
            {
                var dir = new double[n];
                for (int i = 0; i < n; i++) dir[i] = rng.NextDouble() * 2 - 1;
                double curv;
                if (hv is not null)
                {
                    curv = 0;
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j < n; j++) curv += dir[i] * hv[i * n + j] * dir[j];
                }
                else curv = SecondDifference(f, values, variables, xs, offsets, dir, 1e-3) / 1e-6;
                double scale = Math.Max(1, Math.Abs(f0));
                if (!(curv < -1e-8 * scale)) continue;
                // confirm on f itself: the second difference along d, at shrinking steps, agrees in sign and size
                foreach (double t in new[] { 1e-2, 1e-3, 1e-4 })
                {
                    double sd = SecondDifference(f, values, variables, xs, offsets, dir, t);
                    if (double.IsFinite(sd) && sd < 0 && Math.Abs(sd / (t * t) - curv) <= 0.05 * Math.Abs(curv) + 1e-6 * scale / (t * t) * 1e-10)
                    {
                        var direction = new Dictionary<string, Tensor>();
                        for (int i = 0; i < xs.Count; i++)
                        {
                            var x0 = values[xs[i].Name];
                            direction[xs[i].Name] = new Tensor(x0.Kind, x0.Rows, x0.Cols, dir[offsets[i]..offsets[i + 1]]);
                        }
                        return new Witness(values, direction, curv, sd, t, seed);
                    }
                }
            }
        }
        return null;
    }

    private static double SecondDifference(Expr f, Dictionary<string, Tensor> values, IReadOnlyList<Var> variables, IReadOnlyList<Var> xs, int[] offsets, double[] dir, double t)
    {
        double At(double s)
        {
            var v = new Dictionary<string, Tensor>(values);
            for (int i = 0; i < xs.Count; i++)
            {
                var x0 = values[xs[i].Name];
                var moved = new double[x0.Length];
                for (int k = 0; k < moved.Length; k++) moved[k] = x0.Data[k] + s * dir[offsets[i] + k];
                v[xs[i].Name] = new Tensor(x0.Kind, x0.Rows, x0.Cols, moved);
            }
            try { return Evaluator.Evaluate(f, v, variables).ScalarValue; } catch (NablaException) { return double.NaN; }
        }
        return At(t) + At(-t) - 2 * At(0);
    }
}
