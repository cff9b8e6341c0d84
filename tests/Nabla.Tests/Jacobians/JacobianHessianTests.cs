using Nabla.Checking;
using Nabla.Calculus;
using Nabla.Api;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Jacobians;

/// <summary>Known Jacobians and Hessians in matrix form, each checked symbolically and against finite differences.</summary>
public class JacobianHessianTests
{
    private static (BoundExpression Bound, DerivativeResult Result) Derive(string expr, string wrt, DerivativeKind kind, params string[] decls)
    {
        var declarations = decls.Select(d => d.Split(':')).ToDictionary(p => p[0], p => VarType.Parse(p[1]));
        var bound = Binder.Bind(expr, new BindOptions { Declarations = declarations, PreferScalar = kind != DerivativeKind.Jacobian });
        var options = new BindOptions { Declarations = declarations };
        var x = Derivation.WrtVariable(bound, wrt, options);
        return (bound, Derivation.Compute(bound.Root, x, kind));
    }

    [Theory]
    [InlineData("A*x", "x", "A")]
    [InlineData("exp(x)", "x", "diag(exp(x))")]
    [InlineData("A*exp(x)", "x", "A*diag(exp(x))")]
    [InlineData("x.*y", "x", "diag(y)")]
    [InlineData("softmax(x)", "x", "diag(softmax(x))-softmax(x)*softmax(x)'")]
    [InlineData("A*x+b", "x", "A")]
    [InlineData("X*w-y", "w", "X")]
    [InlineData("tanh(W*x)", "x", "diag(1-tanh(W*x).^2)*W")]
    [InlineData("a*x", "a", "x")]
    [InlineData("exp(a*x)", "a", "x.*exp(a*x)")]
    [InlineData("x/norm2(x)", "x", "eye/norm2(x)-x*x'/norm2(x)^3")]
    public void Known_jacobians(string expr, string wrt, string expected)
    {
        var (bound, r) = Derive(expr, wrt, DerivativeKind.Jacobian);
        Assert.Equal(expected, r.Text);
        var x = bound.Variable(wrt)!;
        var check = GradientCheck.Check(bound.Root, x, r.Matrix, DerivativeKind.Jacobian, bound.Variables);
        Assert.True(check.Passed, $"finite differences disagree by {check.MaxRelativeError}");
    }

    [Theory]
    [InlineData("x'*A*x", "x", "A+A'")]
    [InlineData("(y-X*w)'*(y-X*w)", "w", "2*X'*X")]
    [InlineData("sum(softplus(X*w))", "w", "X'*diag((1-sigmoid(X*w)).*sigmoid(X*w))*X")]
    [InlineData("sum(log(x))", "x", "diag(-1./x.^2)")]
    [InlineData("logsumexp(x)", "x", "diag(softmax(x))-softmax(x)*softmax(x)'")]
    [InlineData("norm2(x)^2", "x", "2*eye")]
    [InlineData("norm2(X*w-y)^2+lambda*norm2(w)^2", "w", "2*(X'*X+lambda*eye)")]
    [InlineData("sum(exp(x))", "x", "diag(exp(x))")]
    [InlineData("a^3", "a", "6*a")]
    [InlineData("log(1+exp(-y*<w,x>))", "w", "sigmoid(-y*w'*x)*y^2*(1-sigmoid(-y*w'*x))*x*x'")]
    public void Known_hessians(string expr, string wrt, string expected)
    {
        var (bound, r) = Derive(expr, wrt, DerivativeKind.Hessian);
        Assert.Equal(expected, r.Text);
        var x = bound.Variable(wrt)!;
        var check = GradientCheck.Check(bound.Root, x, r.Matrix, DerivativeKind.Hessian, bound.Variables);
        Assert.True(check.Passed, $"finite differences of the gradient disagree by {check.MaxRelativeError}");
        AssertSymmetric(bound, r.Matrix);
    }

    [Fact]
    public void The_hessian_of_a_quadratic_form_in_a_symmetric_matrix_is_2A()
    {
        var (_, r) = Derive("x'*A*x", "x", DerivativeKind.Hessian, "A:symmetric");
        Assert.Equal("2*A", r.Text);
    }

    [Fact]
    public void A_row_objective_has_the_jacobian_of_its_column_and_a_vector_has_no_hessian()
    {
        var (_, r) = Derive("x'*A", "x", DerivativeKind.Jacobian);
        Assert.Equal("A'", r.Text);
        var h = Assert.Throws<Diagnostics.NablaException>(() => Derive("A*x", "x", DerivativeKind.Hessian));
        Assert.Equal("not_differentiable", h.Diagnostic.Code);
    }

    private static void AssertSymmetric(BoundExpression bound, Expr h)
    {
        var values = RandomPoint.Draw(bound.Root, bound.Variables, new Random(7));
        var v = new Evaluator(values, bound.Variables).Evaluate(h);
        if (v.Kind == ShapeKind.Scalar) return;
        for (int i = 0; i < v.Rows; i++)
            for (int j = 0; j < v.Cols; j++)
                Assert.True(Math.Abs(v[i, j] - v[j, i]) <= 1e-9 * Math.Max(1, Math.Abs(v[i, j])), $"H[{i},{j}] != H[{j},{i}]");
    }
}
