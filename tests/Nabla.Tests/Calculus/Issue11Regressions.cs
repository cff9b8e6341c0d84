using Nabla.Checking;
using Nabla.Calculus;
using System.Text.Json.Nodes;
using Nabla.Api;
using Nabla.Numerics;
using Nabla.Protocol;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

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
        var k = Derivatives.ParseKind(kind);
        var (bound, r) = Derive(expr, wrt, k, decls);
        if (textbook is not null) Assert.Equal(textbook, r.Text);
        AssertChecks(bound, wrt, r, k, expr);
    }

    [Theory]
    [InlineData("det(X^5)", "X", "gradient", "", "5*det(X^5)*inv(X)'")]
    [InlineData("log(abs(det(X)))", "X", "gradient", "", "inv(X)'")]
    [InlineData("logsumexp(x)", "x", "hessian", "", "diag(softmax(x))-softmax(x)*softmax(x)'")]
    [InlineData("exp(x)/sum(exp(x))", "x", "jacobian", "", "diag(softmax(x))-softmax(x)*softmax(x)'")]
    [InlineData("-sum(y.*log(sigmoid(X*w))+(1-y).*log(1-sigmoid(X*w)))", "w", "gradient", "", "X'*(sigmoid(X*w)-y)")]
    [InlineData("sum(softplus(-y.*(X*w)))", "w", "hessian", "", "X'*diag(y.^2.*(1-sigmoid(-y.*(X*w))).*sigmoid(-y.*(X*w)))*X")]
    [InlineData("x'*inv(A+lambda*eye)*x", "lambda", "gradient", "", "-x'*inv(A+lambda*eye)^2*x")]
    [InlineData("tr(inv(X)*X^2)", "X", "gradient", "", "eye")]
    [InlineData("logdet(X^3)", "X", "gradient", "", "3*inv(X)'")]
    [InlineData("tr(adj(X))", "X", "gradient", "", null)]
    [InlineData("adj(X)", "X", "jacobian", "", null)]
    [InlineData("tanh(x*x'/2).^2*y", "x", "jacobian", "", null)]
    [InlineData("sin(z*x'/2)*y", "x", "jacobian", "", "0.5*diag(z)*cos(0.5*z*x')*diag(y)")]
    [InlineData("((B+A).*(y*x'))*x", "x", "jacobian", "", "diag(y)*(A+B)*diag(x)+(A+B).*(y*x')")]
    [InlineData("diag(inv(eye+S*B*diag(x)))", "x", "jacobian", "S:symmetric", null)]
    [InlineData("S", "S", "jacobian", "S:symmetric", null)]
    [InlineData("det(S)", "S", "hessian", "S:symmetric", null)]
    [InlineData("det(b*A)", "b", "gradient", "", "det(b*A)*tr(eye(n))/b")]
    [InlineData("tr(A*X^3)", "X", "gradient", "", "(X*A*X+A*X^2+X^2*A)'")]
    // No matrix form: the index form, as the contract gives it.
    [InlineData("diag(A.*inv(eye+diag(y)))", "y", "jacobian", "", null)]
    [InlineData("det(tanh(y*y'/2))", "y", "hessian", "", null)]
    public void As_short_as_the_textbook_and_checked(string expr, string wrt, string kind, string decls, string? textbook) =>
        Derived_checked_and_in_textbook_form(expr, wrt, kind, decls, textbook);

    [Theory]
    [InlineData("det(X)", "[[1,2],[2,4]]", "[[4,-2],[-2,1]]")]
    [InlineData("det(X)", "[[1,2,3],[2,4,6],[1,0,1]]", "[[4,4,-4],[-2,-2,2],[0,0,0]]")]
    [InlineData("det(X*B)", "[[1,2],[2,4]]", "[[4,-2],[-2,1]]")]
    [InlineData("det(X^3)", "[[1,2],[2,4]]", "[[0,0],[0,0]]")]
    public void The_gradient_of_det_holds_at_a_singular_matrix(string expr, string x, string expected)
    {
        var line = "{\"id\":5,\"expr\":\"" + expr + "\",\"wrt\":[\"X\"],\"at\":{\"X\":" + x + ",\"B\":[[1,0],[0,1]]}}";
        var r = JsonNode.Parse(RequestHandler.HandleLine(line))!;
        Assert.True((bool)r["ok"]!, r.ToJsonString());
        var got = r["results"]![0]!["value"]!.AsArray().SelectMany(row => row!.AsArray().Select(v => (double)v!)).ToArray();
        var want = JsonNode.Parse(expected)!.AsArray().SelectMany(row => row!.AsArray().Select(v => (double)v!)).ToArray();
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 9);
    }

    [Fact]
    public void Sized_constants_read_back_and_a_size_is_not_a_variable()
    {
        var b = Binder.Bind("tr(eye(n))+x'*vector(2,n)+sum(matrix(1,2,3))", new BindOptions());
        var values = new Dictionary<string, Tensor> { ["x"] = Tensor.Vector(1, 2, 3) };
        Assert.Equal(3 + 12 + 6, new Evaluator(values, b.Variables).Evaluate(b.Root).ScalarValue, 12);
        var e = Assert.Throws<Diagnostics.NablaException>(() => Binder.Bind("eye(x)*x", new BindOptions()));
        Assert.Equal("parse_error", e.Diagnostic.Code);
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
        Assert.Equal("x'*x*y", Printing.TextPrinter.Print(b.Root));
    }
}
