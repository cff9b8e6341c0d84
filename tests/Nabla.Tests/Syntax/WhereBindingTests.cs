using Nabla.Diagnostics;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Syntax;
using Nabla.Tests.Calculus;

namespace Nabla.Tests.Syntax;

/// <summary>'e where t0 = a, T1 = b' (docs/language.md section 3): bindings read as the text written out.</summary>
public class WhereBindingTests
{
    [Theory]
    [InlineData("t0'*t0 where t0 = A*x", "(A*x)'*(A*x)")]
    [InlineData("T0*x where T0 = A+A'", "(A+A')*x")]
    [InlineData("t1*t0 where t0 = exp(x), t1 = 2", "(2)*(exp(x))")]
    [InlineData("t1 where t1 = t0+t0, t0 = a*b", "((a*b)+(a*b))")]
    [InlineData("-t0 where t0 = x'*y", "-(x'*y)")]
    [InlineData("sum(t0+vector(1, n)) where t0 = x", "sum((x)+vector(1,n))")]
    [InlineData("where*2", "where*2")] // 'where' stays a name where no binding follows
    public void A_binding_reads_as_its_value_in_parentheses(string text, string expanded)
    {
        var a = Binder.Bind(text);
        var b = Binder.Bind(expanded);
        Assert.Equal(TextPrinter.Print(b.Root), TextPrinter.Print(a.Root));
    }

    [Theory]
    [InlineData("x where t = 1", 8, 9, "t is bound but not used; drop the binding or use the name")]
    [InlineData("t where t = t+1", 12, 13, "the binding of t uses t itself")]
    [InlineData("a*b where a = b+1, b = a", 23, 24, "the bindings refer to each other in a circle: a → b → a")]
    [InlineData("t where t = 1, t = 2", 15, 16, "t is bound twice (first at 8)")]
    [InlineData("t where t = ", 8, 12, "the binding of t has no value")]
    [InlineData("t where t 1", 10, 11, "expected '=' after the name t (e where t = ...), found a number")]
    [InlineData("t where t = 1 where", 14, 19, "expected an operator or the end of the expression, found a name")]
    [InlineData("t where 1 = t", 8, 9, "expected a name to bind after 'where' (e where t0 = a+b), found a number")]
    [InlineData("t where where = 1", 8, 13, "'where' cannot be bound: it starts the bindings")]
    public void A_bad_binding_is_a_parse_error_that_says_where(string text, int start, int end, string message)
    {
        var e = Assert.Throws<NablaException>(() => Parser.Parse(text));
        Assert.Equal(ErrorCodes.ParseError, e.Diagnostic.Code);
        Assert.Equal(message, e.Diagnostic.Message);
        Assert.Equal(start, e.Diagnostic.Span!.Value.Start);
        Assert.Equal(end, e.Diagnostic.Span!.Value.End);
    }

    [Fact]
    public void A_type_error_inside_a_binding_points_into_the_binding()
    {
        var e = Assert.Throws<NablaException>(() => Binder.Bind("t0'*t0 where t0 = x*y"));
        Assert.Equal(ErrorCodes.ShapeError, e.Diagnostic.Code);
        Assert.Equal(18, e.Diagnostic.Span!.Value.Start);
    }

    [Fact]
    public void Bindings_that_double_each_time_are_refused_before_they_are_written_out()
    {
        var text = "t30 where t0 = x" + string.Concat(Enumerable.Range(1, 30).Select(i => $", t{i} = t{i - 1}+t{i - 1}"));
        var e = Assert.Throws<NablaException>(() => Parser.Parse(text));
        Assert.Equal(ErrorCodes.LimitExceeded, e.Diagnostic.Code);
        Assert.Equal($"the bindings expand to more than {WhereBindings.MaxExpandedNodes:N0} operations when written out", e.Diagnostic.Message);
    }

    [Fact]
    public void Bindings_that_nest_deeper_than_the_parser_allows_are_refused()
    {
        var text = "t1100 where t0 = x" + string.Concat(Enumerable.Range(1, 1100).Select(i => $", t{i} = t{i - 1}'"));
        var e = Assert.Throws<NablaException>(() => Parser.Parse(text));
        Assert.Equal(ErrorCodes.LimitExceeded, e.Diagnostic.Code);
        Assert.Equal($"the expression, with its bindings written out, is nested more than {Parser.MaxHeight} operations deep", e.Diagnostic.Message);
        Assert.Equal(0, e.Diagnostic.Span!.Value.Start);
    }

    [Fact]
    public void A_bound_result_evaluates_as_the_written_out_one()
    {
        var decls = CalcHelpers.Decls("X:matrix(m,n); w:vector(n); y:vector(m)");
        var a = Binder.Bind("X'*diag(y.^2.*t0.*(1-t0))*X where t0 = sigmoid(-y.*(X*w))", new BindOptions { Declarations = decls });
        var b = Binder.Bind("X'*diag(y.^2.*sigmoid(-y.*(X*w)).*(1-sigmoid(-y.*(X*w))))*X", new BindOptions { Declarations = decls });
        var point = RandomPoint.Draw(b.Root, b.Variables, new Random(3));
        var va = new Evaluator(point, a.Variables).Evaluate(a.Root);
        var vb = new Evaluator(point, b.Variables).Evaluate(b.Root);
        Assert.Equal(vb.Data, va.Data);
    }
}
