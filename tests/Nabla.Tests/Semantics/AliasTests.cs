using Nabla.Expressions;
using Nabla.Printing;
using Nabla.Semantics;

namespace Nabla.Tests.Semantics;

/// <summary>(v1.6) trace as tr, pi as π unless it is a variable, and the new functions bind, print and read back.</summary>
public sealed class AliasTests
{
    [Fact]
    public void Trace_reads_as_tr()
    {
        var b = Binder.Bind("trace(A*B) + trace(A)");
        Assert.Equal("tr(A*B)+tr(A)", TextPrinter.Print(b.Root));
        Assert.Equal(["A", "B"], b.Variables.Select(v => v.Name).Order());
    }

    [Fact]
    public void Pi_is_the_constant_unless_declared_or_valued()
    {
        var b = Binder.Bind("pi*x'*x");
        Assert.DoesNotContain(b.Variables, v => v.Name == "pi");
        Assert.Contains(Nodes(b.Root), e => e is Num { Value: Math.PI });
        Assert.Equal(["x"], Binder.Names(Nabla.Syntax.Parser.Parse("pi*x'*x")));

        var declared = Binder.Bind("pi*x'*x", new BindOptions { Declarations = new Dictionary<string, VarType> { ["pi"] = VarType.Parse("scalar") } });
        Assert.Contains(declared.Variables, v => v.Name == "pi");
        var valued = Binder.Bind("pi*x'*x", new BindOptions { ConcreteShapes = new Dictionary<string, Shape> { ["pi"] = Shape.Scalar } });
        Assert.Contains(valued.Variables, v => v.Name == "pi");
    }

    private static IEnumerable<Expr> Nodes(Expr e) => e.Children.SelectMany(Nodes).Prepend(e);

    [Fact]
    public void Pi_prints_as_a_number_that_reads_back_exactly()
    {
        var b = Binder.Bind("2*pi*a");
        var text = TextPrinter.Print(b.Root);
        var again = Binder.Bind(text);
        Assert.Equal(b.Root, again.Root);
    }

    [Fact]
    public void A_size_named_pi_is_a_size_not_the_constant()
    {
        var b = Binder.Bind("x'*x + sum(vector(1, pi))");
        var fill = Assert.Single(Nodes(b.Root).OfType<Fill>());
        Assert.Equal("pi", fill.Shape.Rows!.Value.Name);
        Assert.DoesNotContain(Nodes(b.Root), e => e is Num { Value: Math.PI });
    }

    [Theory]
    [InlineData("sum(erf(x))"), InlineData("sum(log1p(x))"), InlineData("sum(expm1(x))"), InlineData("sum(cosh(x)+sinh(x))"),
     InlineData("sum(gelu(x))"), InlineData("mean(X)"), InlineData("mean(x.^2)")]
    public void The_everyday_functions_print_and_read_back(string text)
    {
        var b = Binder.Bind(text);
        Assert.Equal(b.Root, Binder.Bind(TextPrinter.Print(b.Root)).Root);
    }
}
