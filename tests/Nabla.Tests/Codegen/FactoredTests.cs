using Nabla.Api;
using Nabla.Calculus;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Tests.Calculus;
using Nabla.Tests.Cli;

namespace Nabla.Tests.Codegen;

/// <summary>Factored results: repeated subexpressions named once; the text reads back and evaluates as the expanded one.</summary>
public class FactoredTests
{
    [Fact]
    public void The_logistic_hessian_names_its_sigmoid_once()
    {
        var b = CalcHelpers.Bind("sum(softplus(-y.*(X*w)))", "X:matrix(m,n); w:vector(n); y:vector(m)");
        var d = Derivation.Compute(b.Root, b.Variable("w")!, DerivativeKind.Hessian);
        Assert.Equal("X'*diag(y.^2.*(1-t0).*t0)*X where t0 = sigmoid(-y.*(X*w))", d.Display);
        Assert.Equal("X'*diag(y.^2.*(1-sigmoid(-y.*(X*w))).*sigmoid(-y.*(X*w)))*X", d.Text);
    }

    [Fact]
    public void Matrices_are_named_in_upper_case_and_names_never_take_a_users()
    {
        var b = CalcHelpers.Bind("tr(inv(X)*A)+t0'*T0*t0", "X:matrix(n,n); A:matrix(n,n); t0:vector(n); T0:matrix(n,n)");
        var d = Derivation.Compute(b.Root, b.Variable("X")!, DerivativeKind.Gradient);
        Assert.NotNull(d.Factored);
        var names = d.Factored!.Bindings.Select(x => x.Name.Name).ToList();
        Assert.Contains("T1", names);
        Assert.DoesNotContain("T0", names);
        Assert.DoesNotContain("t0", names);
    }

    [Fact]
    public void Nothing_repeated_means_nothing_named()
    {
        var b = CalcHelpers.Bind("x'*A*x", "x:vector(n); A:matrix(n,n)");
        var d = Derivation.Compute(b.Root, b.Variable("x")!, DerivativeKind.Gradient);
        Assert.Null(d.Factored);
        Assert.Equal("(A+A')*x", d.Display);
    }

    /// <summary>Over the code corpus: every factored derivative reads back, typed as its variables, and evaluates as the expanded one.</summary>
    [Fact]
    public void Every_factored_result_of_the_corpus_reads_back_and_evaluates_the_same()
    {
        int factored = 0;
        foreach (var c in CodegenCorpus.Cases)
            foreach (var (x, d) in c.Derivatives)
            {
                if (d.FactoredText is not { } text) continue;
                factored++;
                var decls = c.Parameters.ToDictionary(v => v.Name, VarType.Of);
                var back = Binder.Bind(text, new BindOptions { Declarations = decls, ExpectedShape = d.Result!.Shape });
                var ev = new Evaluator(c.Point, c.Parameters);
                var want = ev.Evaluate(d.Result!).Data;
                var got = new Evaluator(c.Point, c.Parameters).Evaluate(back.Root).Data;
                double scale = Math.Max(1, want.Max(Math.Abs));
                Assert.True(want.Zip(got, (p, q) => Math.Abs(p - q)).Max() <= 1e-12 * scale, $"{c.Text} by {x.Name}: {text}");
                foreach (var bnd in d.Factored!.Bindings)
                    Assert.DoesNotContain(c.Parameters, v => v.Name == bnd.Name.Name);
            }
        Assert.True(factored >= 20, $"only {factored} factored results in the corpus");
    }

    [Fact]
    public void The_cli_prints_the_factored_form_and_expanded_on_request()
    {
        var (rc, o, _) = CliRunner.Run("hess", "sum(softplus(-y.*(X*w)))", "--wrt", "w");
        Assert.Equal(0, rc);
        Assert.StartsWith("H_w = X'*diag(y.^2.*(1-t0).*t0)*X where t0 = sigmoid(-y.*(X*w))\n", o.Replace("\r", ""));
        (rc, o, _) = CliRunner.Run("hess", "sum(softplus(-y.*(X*w)))", "--wrt", "w", "--expanded");
        Assert.StartsWith("H_w = X'*diag(y.^2.*(1-sigmoid(-y.*(X*w))).*sigmoid(-y.*(X*w)))*X\n", o.Replace("\r", ""));
    }

    [Fact]
    public void The_protocol_gives_the_factored_form_beside_the_text()
    {
        var answer = System.Text.Json.Nodes.JsonNode.Parse(global::Nabla.Protocol.RequestHandler.HandleLine(
            """{"expr": "sum(softplus(-y.*(X*w)))", "wrt": ["w"], "derivative": "hessian"}"""))!;
        var r = answer["results"]![0]!;
        Assert.Equal("X'*diag(y.^2.*(1-sigmoid(-y.*(X*w))).*sigmoid(-y.*(X*w)))*X", (string?)r["text"]);
        Assert.Equal("X'*diag(y.^2.*(1-t0).*t0)*X where t0 = sigmoid(-y.*(X*w))", (string?)r["factored"]!["text"]);
        Assert.Equal("t0", (string?)r["factored"]!["where"]![0]!["name"]);
        Assert.Equal("sigmoid(-y.*(X*w))", (string?)r["factored"]!["where"]![0]!["text"]);
        Assert.Equal("\\sigma\\left(-\\left(y \\odot \\left(X w\\right)\\right)\\right)", (string?)r["factored"]!["where"]![0]!["latex"]);
    }
}
