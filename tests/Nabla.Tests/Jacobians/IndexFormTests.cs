using Nabla.Checking;
using Nabla.Calculus;
using System.Text.Json.Nodes;
using Nabla.Api;
using Nabla.Numerics;
using Nabla.Protocol;
using Nabla.Semantics;

namespace Nabla.Tests.Jacobians;

/// <summary>Derivatives with no matrix form, in index notation and vec/Kronecker form, checked against finite differences.</summary>
public class IndexFormTests
{
    [Theory]
    [InlineData("X", "X", "jacobian", "d[i,k]*d[j,l]", "kron(I, I)")]
    [InlineData("inv(X)", "X", "jacobian", "-inv(X)[i,k]*inv(X)[l,j]", "-kron(inv(X)', inv(X))")]
    [InlineData("A*X*B", "X", "jacobian", "A[i,k]*B[l,j]", "kron(B', A)")]
    [InlineData("X'", "X", "jacobian", "d[j,k]*d[i,l]", "kron(I, I)*K")]
    [InlineData("X*w", "X", "jacobian", "d[i,k]*w[l]", "kron(w', I)")]
    [InlineData("x*y'", "x", "jacobian", "d[i,k]*y[j]", "kron(y, I)")]
    [InlineData("exp(X)", "X", "jacobian", "exp(X)[i,j]*d[i,k]*d[j,l]", null)]
    [InlineData("det(X)*X", "X", "jacobian", "det(X)*d[i,k]*d[j,l] + det(X)*X[i,j]*inv(X)[l,k]", null)]
    [InlineData("X'*X", "X", "jacobian", "X[k,i]*d[j,l] + d[i,l]*X[k,j]", "kron(I, X') + kron(X', I)*K")]
    [InlineData("det(X)", "X", "hessian", "det(X)*inv(X)[j,i]*inv(X)[l,k] - det(X)*inv(X)[l,i]*inv(X)[j,k]", null)]
    [InlineData("tr(X'*A*X)", "X", "hessian", "(A+A')[i,k]*d[j,l]", "kron(I, A+A')")]
    [InlineData("logdet(X)", "X", "hessian", "-inv(X)[l,i]*inv(X)[j,k]", "-kron(inv(X), inv(X)')*K")]
    public void Tensor_derivatives_print_in_index_form_and_agree_with_finite_differences(
        string expr, string wrt, string kind, string index, string? kron)
    {
        var k = Derivatives.ParseKind(kind);
        var bound = Binder.Bind(expr, new BindOptions { PreferScalar = k == DerivativeKind.Hessian });
        var x = bound.Variable(wrt)!;
        var r = Derivation.Compute(bound.Root, x, k);
        Assert.Null(r.Text);
        Assert.NotNull(r.Index);
        Assert.Equal(index, r.Index!.ToText());
        Assert.Equal(kron, r.Index.Kron());
        var check = GradientCheck.CheckIndex(bound.Root, x, r.Index, k, bound.Variables);
        Assert.True(check.Passed, $"finite differences disagree by {check.MaxRelativeError}");
    }

    [Fact]
    public void A_matrix_by_a_scalar_has_a_matrix_form()
    {
        var bound = Binder.Bind("exp(a)*X+a^2*Y");
        var r = Derivation.Compute(bound.Root, bound.Variable("a")!, DerivativeKind.Jacobian);
        Assert.Equal("2*a*Y+exp(a)*X", r.Text);
    }

    [Fact]
    public void The_protocol_gives_index_kron_and_nested_values()
    {
        var r = JsonNode.Parse(RequestHandler.HandleLine(
            """{"expr": "inv(X)", "wrt": ["X"], "at": {"X": [[2, 0], [0, 4]]}}"""))!;
        var g = r["results"]![0]!;
        Assert.Equal("jacobian", (string)g["derivative"]!);
        Assert.Equal("[2,2,2,2]", g["shape"]!.ToJsonString());
        Assert.Null(g["text"]);
        Assert.Equal("-inv(X)[i,k]*inv(X)[l,j]", (string)g["index"]!);
        Assert.Equal("-kron(inv(X)', inv(X))", (string)g["kron"]!);
        // d inv(X)[i,j] / d X[k,l] = -inv(X)[i,k] inv(X)[l,j] with inv(X) = diag(0.5, 0.25).
        Assert.Equal(-0.25, (double)g["value"]![0]![0]![0]![0]!);
        Assert.Equal(-0.125, (double)g["value"]![0]![1]![0]![1]!);
        Assert.Equal(0.0, (double)g["value"]![0]![1]![1]![0]!);
        Assert.Equal(-0.0625, (double)g["value"]![1]![1]![1]![1]!);
        var h = JsonNode.Parse(RequestHandler.HandleLine("""{"expr": "det(X)", "wrt": ["X"], "derivative": "hessian"}"""))!;
        Assert.Equal("[\"n\",\"n\",\"n\",\"n\"]", h["results"]![0]!["shape"]!.ToJsonString());
    }

    [Fact]
    public void The_command_line_prints_index_and_vec_forms()
    {
        var o = new StringWriter();
        Assert.Equal(0, Nabla.Cli.Commands.Run(["jac", "A*X*B", "--wrt", "X", "--check"], o, new StringWriter()));
        Assert.Contains("J_X[i,j,k,l] = A[i,k]*B[l,j]", o.ToString());
        Assert.Contains("kron(B', A)", o.ToString());
        Assert.Contains("(ok)", o.ToString());
    }
}
