using Nabla.Checking;
using Nabla.Calculus;
using System.Text;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Properties;

// Shared with bench/Nabla.Sweep (the 10^5 run): no test framework here.

/// <summary>
/// Random well-typed expressions over scalars a, b, vectors x, y (n) and z (m), matrices A, B (n×n),
/// C (m×n) and the symmetric S (n×n), built type first with domain-safe choices (log, sqrt and division
/// only of 1+u², inv, logdet, sqrtm and logm only of I+M*M', expm of M/4). Objectives are scalars, vectors and matrices.
/// </summary>
public sealed class SweepGen(int seed)
{
    private readonly Random _rng = new(seed);

    public enum T { S, Vn, Vm, Mnn, Mmn }

    private string Pick(params string[] xs) => xs[_rng.Next(xs.Length)];

    private static readonly string[] Smooth = ["exp", "sin", "cos", "tanh", "sigmoid", "softplus", "arctan"];

    public string Of(T t, int depth) => t switch
    {
        T.S => S(depth),
        T.Vn => Vn(depth),
        T.Vm => Vm(depth),
        T.Mnn => Mnn(depth),
        _ => Mmn(depth),
    };

    public string S(int depth)
    {
        if (depth <= 0) return Pick("a", "b", "a", "b", "0.5", "2");
        int d = depth - 1;
        return _rng.Next(24) switch
        {
            0 => $"{S(d)}+{S(d)}",
            1 => $"{S(d)}-{S(d)}",
            2 => $"({S(d)})*({S(d)})",
            3 => $"({S(d)})/(1+({S(d)})^2)",
            4 => $"{Pick(Smooth)}({S(d)}/2)",
            5 => $"({Vn(d)})'*({Vn(d)})",
            6 => $"({Vm(d)})'*({Mmn(d)})*({Vn(d)})",
            7 => $"tr({Mnn(d)})",
            8 => $"sum({Pick(Vn(d), Vm(d), Mmn(d))})",
            9 => $"norm2({Pick(Vn(d), Mmn(d))})^2",
            10 => $"logsumexp({Vn(d)})",
            11 => $"<{Vn(d)},{Vn(d)}>",
            12 => $"log(1+({S(d)})^2)",
            13 => $"sqrt(1+norm2({Vm(d)})^2)",
            14 => $"({S(d)})^3",
            15 => $"-({S(d)})",
            16 => $"det({Mnn(d)})",
            17 => $"logdet(eye+({Mnn(d)})*({Mnn(d)})')",
            18 => $"({Vn(d)})'*inv(eye+({Mnn(d)})'*({Mnn(d)}))*({Vn(d)})",
            19 => $"(1+({S(d)})^2)^({S(d)}/4)",
            20 => $"x'*S*x",
            21 => $"tr({Mmn(d)}*({Mmn(d)})')",
            22 => $"<{Mnn(d)},{Mnn(d)}>",
            _ => $"({Vn(d)})'*({Vn(d)})*({S(d)})",
        };
    }

    public string Vn(int depth)
    {
        if (depth <= 0) return Pick("x", "y");
        int d = depth - 1;
        return _rng.Next(16) switch
        {
            0 => $"({Vn(d)}+{Vn(d)})",
            1 => $"({Vn(d)}-{Vn(d)})",
            2 => $"({Mnn(d)})*({Vn(d)})",
            3 => $"({S(d)})*({Vn(d)})",
            4 => $"(({Vn(d)}).*({Vn(d)}))",
            5 => $"{Pick(Smooth)}({Vn(d)}/2)",
            6 => $"softmax({Vn(d)})",
            7 => $"diag({Mnn(d)})",
            8 => $"(({Vn(d)})./(1+({Vn(d)}).^2))",
            9 => $"({Mmn(d)})'*({Vm(d)})",
            10 => $"({Vn(d)})'*({Vn(d)})*({Vn(d)})",
            11 => $"({Vn(d)})*({Vn(d)})'*({Vn(d)})",
            12 => $"inv(eye+({Mnn(d)})*({Mnn(d)})')*({Vn(d)})",
            13 => $"S*({Vn(d)})",
            14 => $"({Vm(d)})'*({Vm(d)})*({Vn(d)})",
            _ => Pick("x", "y"),
        };
    }

    public string Vm(int depth)
    {
        if (depth <= 0) return "z";
        int d = depth - 1;
        return _rng.Next(8) switch
        {
            0 => $"({Vm(d)}+{Vm(d)})",
            1 => $"({Mmn(d)})*({Vn(d)})",
            2 => $"({S(d)})*({Vm(d)})",
            3 => $"(({Vm(d)}).*({Vm(d)}))",
            4 => $"{Pick(Smooth)}({Vm(d)}/2)",
            5 => $"({Vn(d)})'*({Vn(d)})*({Vm(d)})",
            6 => $"C*({Vn(d)})",
            _ => "z",
        };
    }

    public string Mnn(int depth)
    {
        if (depth <= 0) return Pick("A", "B", "S");
        int d = depth - 1;
        return _rng.Next(14) switch
        {
            0 => $"({Mnn(d)}+{Mnn(d)})",
            1 => $"({Mnn(d)})*({Mnn(d)})",
            2 => $"({Mnn(d)})'",
            3 => $"({S(d)})*({Mnn(d)})",
            4 => $"(({Mnn(d)}).*({Mnn(d)}))",
            5 => $"{Pick(Smooth)}({Mnn(d)}/2)",
            6 => $"({Vn(d)})*({Vn(d)})'",
            7 => $"diag({Vn(d)})",
            8 => $"({Pick("A", "B")}^2)",
            9 => $"({Mnn(d)}+eye)",
            10 => $"({Mmn(d)})'*({Mmn(d)})",
            11 => $"inv(eye+({Mnn(d)})*({Mnn(d)})')",
            // expm rarely: its Hessians and tensor Jacobians are refusals in this version (the second derivative of expm)
            12 => _rng.Next(40) switch
            {
                0 => $"expm(({Mnn(d)})/4)",
                1 => $"sqrtm(eye+({Mnn(d)})*({Mnn(d)})')",
                2 => $"logm(eye+({Mnn(d)})*({Mnn(d)})')",
                _ => Pick("A", "B", "S"),
            },
            _ => Pick("A", "B", "S"),
        };
    }

    public string Mmn(int depth)
    {
        if (depth <= 0) return "C";
        int d = depth - 1;
        return _rng.Next(7) switch
        {
            0 => $"({Mmn(d)}+{Mmn(d)})",
            1 => $"({S(d)})*({Mmn(d)})",
            2 => $"({Mmn(d)})*({Mnn(d)})",
            3 => $"({Vm(d)})*({Vn(d)})'",
            4 => $"{Pick(Smooth)}({Mmn(d)}/2)",
            5 => $"(({Mmn(d)}).*({Mmn(d)}))",
            _ => "C",
        };
    }
}

/// <summary>What a sweep found: counts by outcome and the first failures of each kind.</summary>
public sealed class SweepReport
{
    public int Cases, Passed, Mismatches, InternalErrors, Refusals, RoundTripFailures, Inconclusive, OverBudget, UndefinedAtPoint;
    public readonly List<string> Failures = [];

    private readonly Dictionary<string, int> _byKind = [];

    /// <summary>Keeps the first ten failures of each kind (so that a rare kind is never crowded out).</summary>
    public void Fail(string kind, string what)
    {
        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
        if (_byKind[kind] <= 10) Failures.Add(kind.Length == 0 ? what : $"{kind}: {what}");
    }

    /// <summary>
    /// No wrong number, no internal error, no failed round trip; the refusals (derivatives with no matrix or
    /// index form this version builds: entry-wise functions of inverses, say) and the formulas that cannot be
    /// evaluated at the point drawn (the Hessian of det at a singular matrix needs inv) stay under 0.5% and are listed.
    /// </summary>
    public bool Clean => Mismatches == 0 && InternalErrors == 0 && RoundTripFailures == 0 && Refusals + UndefinedAtPoint <= Cases / 200;

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{Cases} derivatives: {Passed} agree with finite differences, {Mismatches} disagree, {InternalErrors} internal errors, " +
                      $"{Refusals} refusals, {UndefinedAtPoint} undefined at the point, {RoundTripFailures} failed round trips, {Inconclusive} inconclusive checks, {OverBudget} over the size limit");
        foreach (var f in Failures) sb.AppendLine("  " + (f.Length > 600 ? f[..597] + "..." : f));
        return sb.ToString();
    }
}

/// <summary>
/// The random-expression sweep: for each expression, every variable and every derivative the contract
/// defines for it — derived, checked against finite differences, and read back from its printed text.
/// </summary>
public static class Sweep
{
    private static readonly Dictionary<string, VarType> Declared = new()
    {
        ["a"] = VarType.Parse("scalar"), ["b"] = VarType.Parse("scalar"),
        ["x"] = VarType.Parse("vector(n)"), ["y"] = VarType.Parse("vector(n)"), ["z"] = VarType.Parse("vector(m)"),
        ["A"] = VarType.Parse("matrix(n,n)"), ["B"] = VarType.Parse("matrix(n,n)"), ["C"] = VarType.Parse("matrix(m,n)"),
        ["S"] = VarType.Parse("symmetric(n)"),
    };

    public static (string Text, SweepGen.T Type, bool Declared) Draw(int seed)
    {
        var rng = new Random(seed * 7919 + 1);
        var type = rng.Next(10) switch { < 5 => SweepGen.T.S, < 7 => SweepGen.T.Vn, 7 => SweepGen.T.Vm, 8 => SweepGen.T.Mnn, _ => SweepGen.T.Mmn };
        int depth = 1 + rng.Next(3);
        return (new SweepGen(seed).Of(type, depth), type, rng.Next(3) != 0);
    }

    public static SweepReport Run(int firstSeed, int count)
    {
        var report = new SweepReport();
        for (int seed = firstSeed; seed < firstSeed + count; seed++) One(seed, report);
        return report;
    }

    private static void One(int seed, SweepReport report)
    {
        var (text, type, declared) = Draw(seed);
        var decls = declared ? Declared : new Dictionary<string, VarType>();
        BoundExpression bound;
        try
        {
            bound = Binder.Bind(text, new BindOptions { Declarations = decls, PreferScalar = type == SweepGen.T.S });
        }
        catch (NablaException e)
        {
            // Inferred typing may find no consistent reading of the names (z used as a scalar, say): not a derivative.
            if (!declared && e.Diagnostic.Code is ErrorCodes.ShapeError or ErrorCodes.AmbiguousType) return;
            report.Cases++;
            report.InternalErrors++;
            report.Fail("bind", $"seed {seed}: {text}: {e.Diagnostic}");
            return;
        }
        var kinds = bound.Root.Shape.IsScalar ? new[] { DerivativeKind.Gradient, DerivativeKind.Hessian } : [DerivativeKind.Jacobian];
        foreach (var v in bound.Variables)
            foreach (var kind in kinds)
                Derivative(seed, text, declared, bound, v, kind, report);
    }

    private static void Derivative(int seed, string text, bool declared, BoundExpression bound, Var v, DerivativeKind kind, SweepReport report)
    {
        report.Cases++;
        string what = $"seed {seed}: {Derivatives.KindName(kind)} of {text} by {v.Name}{(declared ? "" : " (inferred types)")}";
        DerivativeResult r;
        try
        {
            using var budget = Budget.Start(TimeSpan.FromSeconds(10));
            r = Derivation.Compute(bound.Root, v, kind);
        }
        catch (NablaException e) when (e.Diagnostic.Code == ErrorCodes.LimitExceeded)
        {
            report.OverBudget++;
            return;
        }
        catch (NablaException e)
        {
            report.Refusals++;
            report.Fail("refused", $"{what}: {e.Diagnostic}");
            return;
        }
        catch (Exception e)
        {
            report.InternalErrors++;
            report.Fail("internal", $"{what}: {e.GetType().Name}: {e.Message}");
            return;
        }
        string shown = r.Text ?? r.Index!.ToText();
        CheckReport check;
        try
        {
            check = r.Index is { } ix
                ? GradientCheck.CheckIndex(bound.Root, v, ix, kind, bound.Variables, trials: 2, seed: seed)
                : GradientCheck.Check(bound.Root, v, r.Matrix, kind, bound.Variables, trials: 2, seed: seed);
        }
        catch (NablaException e) when (e.Diagnostic.Code == ErrorCodes.DomainError)
        {
            // The objective is defined at the point (the check draws again where it is not), its derivative's formula not.
            report.UndefinedAtPoint++;
            report.Fail("undefined at the point", $"{what} = {shown}: {e.Diagnostic.Message}");
            return;
        }
        catch (Exception e) when (e is not NablaException)
        {
            report.InternalErrors++;
            report.Fail("internal (check)", $"{what} = {shown}: {e.GetType().Name}: {e.Message}");
            return;
        }
        if (check.IsInconclusive) report.Inconclusive++;
        else if (!check.Passed)
        {
            report.Mismatches++;
            report.Fail("mismatch", $"{what} = {shown}: relative error {check.MaxRelativeError:G3}");
            return;
        }
        if (r.Result is { } result && !RoundTrips(bound, result, r.Text!, seed, out var why))
        {
            report.RoundTripFailures++;
            report.Fail("round trip", $"{what} = {r.Text}: {why}");
            return;
        }
        if (!check.IsInconclusive) report.Passed++;
    }

    /// <summary>The printed result, read back with the same declarations, evaluates to the result's values.</summary>
    private static bool RoundTrips(BoundExpression bound, Expr result, string printed, int seed, out string why)
    {
        why = "";
        try
        {
            // Read back as the protocol does with `at`: the values fix the sizes, the declarations the kinds.
            var values = RandomPoint.Draw(bound.Root, bound.Variables, new Random(seed));
            var expected = Evaluator.Evaluate(result, values, bound.Variables);
            var decls = bound.Variables.ToDictionary(v => v.Name, VarType.Of);
            var again = Binder.Bind(printed, new BindOptions
            {
                Declarations = decls,
                ConcreteShapes = values.ToDictionary(kv => kv.Key, kv => ShapeOf(kv.Value)),
                ExpectedShape = ShapeOf(expected),
            });
            var actual = Evaluator.Evaluate(again.Root, values, again.Variables);
            if (expected.Length != actual.Length) { why = $"{expected.Length} entries, read back {actual.Length}"; return false; }
            double scale = Math.Max(1, expected.MaxAbs());
            for (int i = 0; i < expected.Length; i++)
                if (!(Math.Abs(expected.Data[i] - actual.Data[i]) <= 1e-9 * scale))
                {
                    why = $"entry {i}: {expected.Data[i]:G10}, read back {actual.Data[i]:G10}";
                    return false;
                }
            return true;
        }
        catch (NablaException e) when (e.Diagnostic.Code == ErrorCodes.DomainError)
        {
            return true; // both forms are evaluated at one random point; a point outside the domain says nothing
        }
        catch (Exception e)
        {
            why = e is NablaException ne ? ne.Diagnostic.ToString() : $"{e.GetType().Name}: {e.Message}";
            return false;
        }
    }

    private static Shape ShapeOf(Tensor t) => t.Kind switch
    {
        ShapeKind.Scalar => Shape.Scalar,
        ShapeKind.Vector => Shape.Vector(Dim.Of(t.Rows)),
        ShapeKind.Row => new Shape(null, Dim.Of(t.Cols)),
        _ => Shape.Matrix(Dim.Of(t.Rows), Dim.Of(t.Cols)),
    };

}
