using Nabla.Checking;
using Nabla.Calculus;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Simplify;

namespace Nabla.Tests.Properties;

/// <summary>
/// FsCheck properties over generated expressions (FsCheck shrinks a failure to a small counterexample):
/// gradients agree with finite differences, simplification keeps values and is idempotent, printing
/// round-trips, and no input makes the front end throw anything but a diagnostic.
/// </summary>
public class FsCheckProperties
{
    private static readonly Dictionary<string, VarType> Decls = new()
    {
        ["a"] = VarType.Scalar, ["b"] = VarType.Scalar, ["x"] = VarType.Parse("vector(n)"), ["y"] = VarType.Parse("vector(n)"),
        ["A"] = VarType.Parse("matrix(n,n)"), ["B"] = VarType.Parse("matrix(n,n)"),
    };

    private static Gen<string> Scalar(int size) => size <= 0
        ? Gen.Elements("a", "b", "x'*y", "x'*A*x", "tr(A*B)", "2", "0.5")
        : Gen.OneOf(
            Scalar(0),
            from l in Scalar(size / 2) from r in Scalar(size / 2) from op in Gen.Elements("+", "-", "*") select $"({l}){op}({r})",
            from s in Scalar(size - 1) from f in Gen.Elements("exp", "sin", "cos", "tanh", "sigmoid", "softplus", "arctan") select $"{f}(({s})/8)",
            from v in Vector(size - 1) from w in Vector(size - 1) select $"({v})'*({w})",
            from v in Vector(size - 1) from f in Gen.Elements("sum", "norm2", "logsumexp") select $"{f}({v})",
            from m in Matrix(size - 1) from f in Gen.Elements("tr", "sum") select $"{f}({m})",
            from s in Scalar(size - 1) select $"({s})^2",
            from s in Scalar(size - 1) select $"log(1+({s})^2)");

    private static Gen<string> Vector(int size) => size <= 0
        ? Gen.Elements("x", "y", "A*x", "a*y")
        : Gen.OneOf(
            Vector(0),
            from m in Matrix(size / 2) from v in Vector(size / 2) select $"({m})*({v})",
            from v in Vector(size / 2) from w in Vector(size / 2) from op in Gen.Elements("+", "-", ".*") select $"({v}){op}({w})",
            from s in Scalar(size / 2) from v in Vector(size / 2) select $"({s})*({v})",
            from v in Vector(size - 1) from f in Gen.Elements("tanh", "sigmoid", "exp", "softmax") select $"{f}(({v})/4)");

    private static Gen<string> Matrix(int size) => size <= 0
        ? Gen.Elements("A", "B", "A'", "x*y'", "eye")
        : Gen.OneOf(
            Matrix(0),
            from l in Matrix(size / 2) from r in Matrix(size / 2) from op in Gen.Elements("*", "+", "-", ".*") select $"({l}){op}({r})",
            from m in Matrix(size - 1) select $"({m})'",
            from s in Scalar(size / 2) from m in Matrix(size / 2) select $"({s})*({m})",
            from v in Vector(size - 1) select $"diag({v})");

    private static Arbitrary<string> Scalars => Arb.From(Gen.Sized(s => Scalar(Math.Min(s / 10, 5))));

    private static BoundExpression Bind(string e) => Binder.Bind(e, new BindOptions { Declarations = Decls });

    [Property(MaxTest = 150)]
    public Property Gradients_agree_with_finite_differences() => Prop.ForAll(Scalars, e =>
    {
        var b = Bind(e);
        foreach (var v in b.Variables)
        {
            var g = Derivation.Compute(b.Root, v, DerivativeKind.Gradient);
            CheckReport r;
            try { r = GradientCheck.Check(b.Root, v, g.Matrix, DerivativeKind.Gradient, b.Variables, trials: 2, tolerance: 1e-4); }
            catch (NablaException) { continue; } // a random point outside a domain (an overflow)
            // every point drawn overflowed the differences (exp of a 12th power, say): no trusted comparison, no verdict
            if (r.Trials == 0) continue;
            if (!r.Passed) return false.Label($"∇_{v.Name} {e} = {g.Text}: error {r.MaxRelativeError}");
        }
        return true.ToProperty();
    });

    [Property(MaxTest = 150)]
    public Property Simplification_keeps_values_and_is_idempotent() => Prop.ForAll(Scalars, e =>
    {
        var b = Bind(e);
        var once = Simplifier.Simplify(b.Root);
        var twice = Simplifier.Simplify(once);
        if (TextPrinter.PrintResult(once) != TextPrinter.PrintResult(twice))
            return false.Label($"not idempotent: {TextPrinter.PrintResult(once)} then {TextPrinter.PrintResult(twice)}");
        var values = RandomPoint.Draw(b.Root, b.Variables, new Random(e.Length));
        double before, after;
        try
        {
            before = new Evaluator(values, b.Variables).Evaluate(b.Root).ScalarValue;
            after = new Evaluator(values, b.Variables).Evaluate(once).ScalarValue;
        }
        catch (NablaException) { return true.ToProperty(); }
        return (Math.Abs(before - after) <= 1e-9 * Math.Max(1, Math.Abs(before))).Label($"{e}: {before} vs {after}");
    });

    [Property(MaxTest = 200)]
    public Property Printing_round_trips_structurally() => Prop.ForAll(Scalars, e =>
    {
        var b = Bind(e);
        var again = Bind(TextPrinter.Print(b.Root));
        return again.Root.Equals(b.Root).Label($"{e} printed as {TextPrinter.Print(b.Root)}");
    });

    [Property(MaxTest = 300)]
    public Property Any_token_soup_gives_a_diagnostic_or_a_result() => Prop.ForAll(
        Arb.From(Gen.ListOf(Gen.Elements("x", "A", "(", ")", "+", "-", "*", "'", ".*", "^", "2", "<", ">", ",", "exp(", "tr(", ".", "@", " ", "1e", "./")).Select(l => string.Concat(l))),
        text =>
        {
            try { Binder.Bind(text); }
            catch (NablaException) { }
            return true;
        });
}
