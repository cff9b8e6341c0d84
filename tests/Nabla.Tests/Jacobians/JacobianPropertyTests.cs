using Nabla.Checking;
using Nabla.Calculus;
using Nabla.Api;
using Nabla.Numerics;
using Nabla.Ops;
using Nabla.Semantics;

namespace Nabla.Tests.Jacobians;

/// <summary>Jacobians of every element-wise function and of random vector expressions, against finite differences.</summary>
public class JacobianPropertyTests
{
    private static readonly Dictionary<string, VarType> Decls = new()
    {
        ["a"] = VarType.Scalar, ["x"] = VarType.Parse("vector(n)"), ["y"] = VarType.Parse("vector(n)"),
        ["A"] = VarType.Parse("matrix(n,n)"), ["B"] = VarType.Parse("matrix(n,n)"),
    };

    public static TheoryData<string> ElementwiseNames() => new(Functions.ByName.Values.OfType<ElementwiseFunction>().Select(f => f.Name));

    [Theory]
    [MemberData(nameof(ElementwiseNames))]
    public void Every_elementwise_function_has_a_checked_jacobian(string name)
    {
        // Arguments that keep every function inside its domain at the random points (x in [-1, 1]).
        string arg = name switch
        {
            "log" or "sqrt" => "x.*x+1",
            "arcsin" or "arccos" => "x/2",
            _ => "A*x+y",
        };
        foreach (var wrt in new[] { "x", "a" })
        {
            var expr = wrt == "a" ? $"{name}(a*({arg}))" : $"{name}({arg})";
            Check(expr, wrt);
        }
    }

    [Theory]
    [InlineData("softmax(A*x)", "x")]
    [InlineData("diag(A)", "A")]
    [InlineData("diag(x)*y", "x")]
    [InlineData("x/norm2(x)", "x")]
    [InlineData("x*(x'*y)", "x")]
    [InlineData("inv(A)*x", "x")]
    [InlineData("A^2*x", "x")]
    [InlineData("x.^3./y", "y")]
    [InlineData("vector(a)+x", "a")]
    [InlineData("(x'*A*x)*y", "x")]
    [InlineData("logsumexp(x)*x", "x")]
    public void Other_jacobians_agree_with_finite_differences(string expr, string wrt) => Check(expr, wrt);

    [Fact]
    public void Random_vector_expressions_have_jacobians_that_agree_with_finite_differences()
    {
        var rng = new Random(4242);
        for (int i = 0; i < 200; i++)
            Check(RandomVector(rng, 3), rng.Next(3) switch { 0 => "x", 1 => "y", _ => "a" });
    }

    private static void Check(string expr, string wrt)
    {
        var bound = Binder.Bind(expr, new BindOptions { Declarations = Decls });
        var x = bound.Variable(wrt) ?? Derivation.WrtVariable(bound, wrt, new BindOptions { Declarations = Decls });
        var r = Derivation.Compute(bound.Root, x, DerivativeKind.Jacobian);
        var report = r.Index is { } ix
            ? GradientCheck.CheckIndex(bound.Root, x, ix, DerivativeKind.Jacobian, bound.Variables.Append(x).DistinctBy(v => v.Name))
            : GradientCheck.Check(bound.Root, x, r.Matrix, DerivativeKind.Jacobian, bound.Variables.Append(x).DistinctBy(v => v.Name));
        Assert.True(report.Passed, $"J of {expr} wrt {wrt} = {r.Text ?? r.Index!.ToText()}: relative error {report.MaxRelativeError:G3}");
    }

    private static string RandomVector(Random r, int depth)
    {
        if (depth <= 0) return r.Next(4) switch { 0 => "x", 1 => "y", 2 => "A*x", _ => "a*y" };
        string v() => RandomVector(r, depth - 1);
        return r.Next(9) switch
        {
            0 => $"A*({v()})",
            1 => $"({v()}).*({v()})",
            2 => $"a*({v()})",
            3 => $"tanh({v()})",
            4 => $"({v()})+({v()})",
            5 => $"B'*({v()})",
            6 => $"sigmoid({v()})",
            7 => $"({v()})*(x'*y)",
            _ => $"softmax({v()})",
        };
    }
}
