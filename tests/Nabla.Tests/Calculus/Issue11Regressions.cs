using System.Text.Json.Nodes;
using Nabla.Api;
using Nabla.Numerics;
using Nabla.Protocol;
using Nabla.Semantics;

namespace Nabla.Tests.Calculus;

/// <summary>
/// The wrong answers, internal errors and refusals found by the random-expression and peer-suite sweep
/// (issue 11): each is now derived, checked against finite differences and, where it has a short textbook
/// form, compared with it.
/// </summary>
public class Issue11Regressions
{
    private static (BoundExpression Bound, DerivativeResult Result) Derive(string expr, string wrt, DerivativeKind kind, string decls = "")
    {
        var options = CalcHelpers.Options(decls, kind != DerivativeKind.Jacobian);
        var bound = Binder.Bind(expr, options);
        var x = Derivation.WrtVariable(bound, wrt, options);
        return (bound, Derivation.Compute(bound.Root, x, kind));
    }

    private static void AssertChecks(BoundExpression bound, string wrt, DerivativeResult r, DerivativeKind kind, string what)
    {
        var x = bound.Variable(wrt)!;
        var check = r.Index is { } ix
            ? GradientCheck.CheckIndex(bound.Root, x, ix, kind, bound.Variables)
            : GradientCheck.Check(bound.Root, x, r.Matrix, kind, bound.Variables);
        Assert.True(check.Passed, $"{what}: finite differences disagree by {check.MaxRelativeError:G3} ({r.Text ?? r.Index!.ToText()})");
    }

    [Theory]
    // A scalar made as row·vector that then scales a vector: the Jacobian keeps its shape (was `x'*x`, shape []).
    [InlineData("x'*x*y", "y", "jacobian", "x:vector;y:vector", "x'*x*eye")]
    [InlineData("x*x'*x", "x", "jacobian", "", "2*x*x'+x'*x*eye")]
    [InlineData("w*w'*v-(w'*w)*v", "w", "jacobian", "", "w*v'+v'*w*eye-2*v*w'")]
    [InlineData("diag(A*diag(x))", "x", "jacobian", "", "diag(diag(A))")]
    [InlineData("diag(A*diag(x)*B)", "x", "jacobian", "", "A.*B'")]
    [InlineData("diag(x*x')", "x", "jacobian", "", "diag(2*x)")]
    [InlineData("((A.*B)*C*x)'*x*x", "x", "jacobian", "", null)]
    [InlineData("inv(A+diag(x))*y", "x", "jacobian", "", "-inv(A+diag(x))*diag(inv(A+diag(x))*y)")]
    [InlineData("(A+x*x')^2*y", "x", "jacobian", "", null)]
    [InlineData("(A.*(x*x'))*y", "x", "jacobian", "", null)]
    [InlineData("x'*A", "x", "jacobian", "", "A'")]
    [InlineData("exp(x)'", "x", "jacobian", "", "diag(exp(x))")]
    [InlineData("A*(x'*y*z)", "z", "jacobian", "", "x'*y*A")]
    [InlineData("sum(x'*x*y)", "x", "gradient", "", "2*sum(y)*x")]
    [InlineData("sin(cos(x'*A*B'*x))", "x", "hessian", "", null)]
    [InlineData("cos((((0.5*A')*(A*x))'*((0.5*A)*((x'*A*x)*x)))^2/8)", "A", "gradient", "", null)]
    // Index forms: the delta on the rows and the scaling by y are kept.
    [InlineData("x'*x*(A*y)", "A", "jacobian", "", null)]
    [InlineData("x'*diag(A)*y", "A", "jacobian", "", null)]
    [InlineData("x'*A", "A", "jacobian", "", null)]
    public void Derived_checked_and_in_textbook_form(string expr, string wrt, string kind, string decls, string? textbook)
    {
        var k = Derivation.ParseKind(kind);
        var (bound, r) = Derive(expr, wrt, k, decls);
        if (textbook is not null) Assert.Equal(textbook, r.Text);
        AssertChecks(bound, wrt, r, k, expr);
    }

    [Fact]
    public void The_protocol_jacobian_of_a_scaled_vector_has_the_square_shape_and_values()
    {
        var response = RequestHandler.HandleLine(
            """{"id":1,"expr":"x'*x*y","vars":{"x":"vector","y":"vector"},"wrt":["y"],"derivative":"jacobian","at":{"x":[1,1],"y":[1,10,100]}}""");
        var r = JsonNode.Parse(response)!["results"]![0]!;
        Assert.Equal("[3,3]", r["shape"]!.ToJsonString());
        Assert.Equal("[[2,0,0],[0,2,0],[0,0,2]]", r["value"]!.ToJsonString());
    }

    [Fact]
    public void The_index_form_keeps_the_delta_on_the_rows_and_the_scaling()
    {
        Assert.Equal("x'*x*d[i,k]*y[l]", Derive("x'*x*(A*y)", "A", DerivativeKind.Jacobian).Result.Index!.ToText());
        Assert.Equal("y[i]*d[k,l]*x[k]", Derive("x'*diag(A)*y", "A", DerivativeKind.Jacobian).Result.Index!.ToText());
    }

    [Theory]
    [InlineData("d*a^(-(b*c))", "a^(-b*c)")]
    [InlineData("d*a^(b+c)", "a^(b+c)")]
    [InlineData("d*a^(b^c)", "a^(b^c)")]
    public void A_compound_exponent_prints_in_brackets_and_reads_back_to_the_same_value(string expr, string expected)
    {
        var (bound, r) = Derive(expr, "d", DerivativeKind.Gradient);
        Assert.Equal(expected, r.Text);
        var back = Binder.Bind(r.Text!, new BindOptions { Declarations = bound.Variables.ToDictionary(v => v.Name, _ => VarType.Parse("scalar")) });
        var values = RandomPoint.Draw(bound.Root, bound.Variables, new Random(3));
        var a = new Evaluator(values, bound.Variables).Evaluate(r.Result!).Data[0];
        var b = new Evaluator(values, back.Variables).Evaluate(back.Root).Data[0];
        Assert.Equal(a, b, 12);
    }

    [Fact]
    public void A_scalar_chain_inside_a_product_is_one_factor_of_its_own()
    {
        var b = Binder.Bind("x'*x*y", new BindOptions());
        var m = Assert.IsType<Expressions.Mul>(b.Root);
        Assert.Equal(2, m.Factors.Count);
        Assert.True(m.Factors[0].Shape.IsScalar);
        Assert.Equal("x'*x*y", b.Root.ToString());
    }
}
