using Nabla.Checking;
using Nabla.Calculus;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Nabla.Api;
using Nabla.Explain;
using Nabla.Protocol;
using Nabla.Semantics;

namespace Nabla.Tests.Explain;

public class ExplainTests
{
    private static (BoundExpression Bound, Explanation Ex) Explain(string expr, string wrt, string decls = "")
    {
        var declarations = decls.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(':')).ToDictionary(p => p[0].Trim(), p => VarType.Parse(p[1]));
        var bound = Binder.Bind(expr, new BindOptions { Declarations = declarations, PreferScalar = true });
        return (bound, Explainer.Gradient(bound.Root, bound.Variable(wrt)!));
    }

    public static TheoryData<string, string, string, string> Seeds => new()
    {
        { "seed-1.1", "a'*x", "x", "a:vector;x:vector" },
        { "seed-1.2", "x'*A*x", "x", "" },
        { "seed-1.2-symmetric", "x'*A*x", "x", "A:symmetric" },
        { "seed-1.3", "det(A)", "A", "" },
        { "seed-1.4", "tr(A*B)", "A", "" },
        { "seed-1.5", "x'*A*y", "A", "" },
        { "seed-1.6", "log(1+exp(-y*<w,x>))", "w", "" },
        { "seed-2-least-squares", "(y-X*w)'*(y-X*w)", "w", "" },
    };

    /// <summary>Golden derivations, text and LaTeX, word for word. Set NABLA_UPDATE_GOLDEN=1 to rewrite them (then read the diff).</summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Seed_derivations_match_their_golden_files(string name, string expr, string wrt, string decls)
    {
        var (bound, ex) = Explain(expr, wrt, decls);
        var dir = Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Explain", "Golden");
        var text = $"f = {expr}\n{ex.ToText()}\n";
        var latex = ex.ToLatex() + "\n";
        if (Environment.GetEnvironmentVariable("NABLA_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(dir, name + ".txt"), text);
            File.WriteAllText(Path.Combine(dir, name + ".tex"), latex);
        }
        Assert.Equal(File.ReadAllText(Path.Combine(dir, name + ".txt")), text);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, name + ".tex")), latex);
        Assert.True(StepCheck.MaxError(bound.Root, bound.Variable(wrt)!, ex) < 1e-6);
    }

    [Fact]
    public void The_bilinear_form_follows_the_seminar()
    {
        var (_, ex) = Explain("x'*A*y", "A");
        Assert.Equal(["differential", "product-rule", "trace-of-scalar", "cyclic-trace", "read-off"], ex.Steps.Select(s => s.Rule));
        Assert.Equal(["df = d(x'*A*y)", "= x'*dA*y", "= tr(x'*dA*y)", "= tr(y*x'*dA)", "⇒ ∇_A f = (y*x')' = x*y'"],
            ex.Steps.Select(s => s.Text.Trim()));
    }

    public static readonly string[][] Table =
    [
        ["a'*x", "x", "a:vector"], ["x'*x", "x", ""], ["x'*A*x", "x", ""], ["x'*A*x", "A", ""], ["x'*A*x", "x", "A:symmetric"],
        ["x'*A*x", "A", "A:symmetric"], ["det(A)", "A", ""], ["logdet(A)", "A", ""], ["tr(A*B)", "A", ""], ["tr(A*B)", "B", ""],
        ["tr(A'*B)", "A", ""], ["tr(A*X*B)", "X", ""], ["tr(X'*A*X)", "X", ""], ["tr(inv(X)*A)", "X", ""], ["x'*inv(A)*x", "A", ""],
        ["x'*A*y", "A", ""], ["x'*A*y", "x", ""], ["log(1+exp(-y*<w,x>))", "w", ""], ["(y-X*w)'*(y-X*w)", "w", ""],
        ["(y-X*w)'*(y-X*w)", "X", ""], ["norm2(X*w-y)^2+lambda*norm2(w)^2", "w", ""], ["sum(softplus(-y.*(X*w)))", "w", ""],
        ["sum(exp(x))", "x", ""], ["norm2(x)", "x", ""], ["norm2(x)^2", "x", ""], ["norm1(x)", "x", ""], ["sum(log(x))", "x", ""],
        ["logsumexp(W*x)-y'*W*x", "W", ""], ["logsumexp(x)", "x", ""], ["-y'*log(softmax(z))", "z", ""], ["sum(sigmoid(X*w))", "w", ""],
        ["tr(A^2)", "A", ""], ["tr(A^3)", "A", ""], ["tr(A^-1)", "A", ""], ["det(A)^2", "A", ""], ["sqrt(x'*x)", "x", ""],
        ["sum(x.*y)", "x", ""], ["sum(x./y)", "y", ""], ["sum(x.^3)", "x", ""], ["diag(A)'*x", "A", ""], ["sum(diag(x)*y)", "x", ""],
        ["a*x'*x", "a", ""], ["a^2*b", "a", ""], ["exp(a)*sin(b)", "b", ""], ["(x-m)'*S*(x-m)", "m", "S:symmetric"],
        ["-logdet(P)+(x-m)'*P*(x-m)", "P", "P:symmetric"], ["sum(relu(A*x))", "x", ""], ["sum(tanh(W*x+b))", "W", "b:vector"],
        ["x'*x/(y'*y)", "y", ""], ["sum(abs(x))", "x", ""], ["tr(A.*B)", "A", ""], ["sum(vector(a).*x)", "a", ""],
    ];

    public static TheoryData<string, string, string> TableData()
    {
        var d = new TheoryData<string, string, string>();
        foreach (var r in Table) d.Add(r[0], r[1], r[2]);
        return d;
    }

    /// <summary>Every step equals the one before it at random values of the variables and of dX; the result is the differentiator's.</summary>
    [Theory]
    [MemberData(nameof(TableData))]
    public void Every_step_is_numerically_equal_to_the_one_before(string expr, string wrt, string decls)
    {
        var (bound, ex) = Explain(expr, wrt, decls);
        double err = StepCheck.MaxError(bound.Root, bound.Variable(wrt)!, ex);
        Assert.True(err < 1e-5, $"steps disagree by {err}:\n{ex.ToText()}");
        var direct = Derivation.Compute(bound.Root, bound.Variable(wrt)!, DerivativeKind.Gradient);
        Assert.EndsWith("= " + direct.Text, ex.Steps[^1].Text);
    }

    [Fact]
    public void Random_expressions_have_sound_derivations()
    {
        var rng = new Random(2026);
        int checkedCount = 0;
        for (int i = 0; i < 150; i++)
        {
            string e = RandomScalar(rng, 3);
            var bound = Binder.Bind(e, new BindOptions { Declarations = Decls });
            foreach (var wrt in new[] { "x", "A", "a" })
            {
                if (bound.Variable(wrt) is not { } v) continue;
                var ex = Explainer.Gradient(bound.Root, v);
                double err;
                try { err = StepCheck.MaxError(bound.Root, v, ex); }
                catch (Diagnostics.NablaException) { continue; } // a random point outside a domain
                Assert.True(err < 1e-4, $"{e} wrt {wrt}: steps disagree by {err}\n{ex.ToText()}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 150);
    }

    private static readonly Dictionary<string, VarType> Decls = new()
    {
        ["a"] = VarType.Scalar, ["x"] = VarType.Parse("vector(n)"), ["y"] = VarType.Parse("vector(n)"),
        ["A"] = VarType.Parse("matrix(n,n)"), ["B"] = VarType.Parse("matrix(n,n)"),
    };

    private static string RandomScalar(Random r, int depth)
    {
        if (depth == 0) return r.Next(4) switch { 0 => "a", 1 => "x'*y", 2 => "x'*A*x", _ => "tr(A*B)" };
        string s() => RandomScalar(r, depth - 1);
        string v() => RandomVector(r, depth - 1);
        return r.Next(10) switch
        {
            0 => $"{s()}+{s()}",
            1 => $"({s()})*({s()})",
            2 => $"exp({s()}/10)",
            3 => $"sin({s()})",
            4 => $"({v()})'*({v()})",
            5 => $"sum(tanh({v()}))",
            6 => $"tr(A*{RandomMatrix(r, depth - 1)})",
            7 => $"sigmoid({s()})",
            8 => $"norm2({v()})^2",
            _ => $"{s()}-a*({s()})",
        };
    }

    private static string RandomVector(Random r, int depth)
    {
        if (depth <= 0) return r.Next(3) switch { 0 => "x", 1 => "y", _ => "A*x" };
        string v() => RandomVector(r, depth - 1);
        return r.Next(6) switch
        {
            0 => $"A*({v()})",
            1 => $"({v()}).*({v()})",
            2 => $"a*({v()})",
            3 => $"exp(({v()})/4)",
            4 => $"({v()}+{v()})",
            _ => $"B'*({v()})",
        };
    }

    private static string RandomMatrix(Random r, int depth) =>
        depth <= 0 ? (r.Next(2) == 0 ? "A" : "B") : r.Next(4) switch
        {
            0 => $"({RandomMatrix(r, depth - 1)})*({RandomMatrix(r, depth - 1)})",
            1 => $"({RandomVector(r, depth - 1)})*x'",
            2 => $"({RandomMatrix(r, depth - 1)})'",
            _ => "a*A",
        };

    public static readonly string[][] SecondOrder =
    [
        ["A*x", "x", "jacobian"], ["exp(x)", "x", "jacobian"], ["A*exp(x)", "x", "jacobian"], ["x.*y", "x", "jacobian"],
        ["softmax(x)", "x", "jacobian"], ["sigmoid(W*x+b)", "x", "jacobian"], ["x/norm2(x)", "x", "jacobian"], ["a*x", "a", "jacobian"],
        ["x'*A*x", "x", "hessian"], ["(y-X*w)'*(y-X*w)", "w", "hessian"], ["sum(softplus(X*w))", "w", "hessian"],
        ["sum(log(x))", "x", "hessian"], ["logsumexp(x)", "x", "hessian"], ["norm2(X*w-y)^2+lambda*norm2(w)^2", "w", "hessian"],
        ["log(1+exp(-y*<w,x>))", "w", "hessian"], ["a^3*b", "a", "hessian"],
    ];

    public static TheoryData<string, string, string> SecondOrderData()
    {
        var d = new TheoryData<string, string, string>();
        foreach (var r in SecondOrder) d.Add(r[0], r[1], r[2]);
        return d;
    }

    /// <summary>Jacobians and Hessians are derived the same way: every step equal to the one before, J*dx = df at the end.</summary>
    [Theory]
    [MemberData(nameof(SecondOrderData))]
    public void Jacobian_and_hessian_derivations_are_sound(string expr, string wrt, string kind)
    {
        var k = Derivatives.ParseKind(kind);
        var bound = Binder.Bind(expr, new BindOptions { PreferScalar = k == DerivativeKind.Hessian });
        var x = bound.Variable(wrt)!;
        var ex = Explainer.Explain(bound.Root, x, k);
        double err = StepCheck.MaxError(bound.Root, x, ex);
        Assert.True(err < 1e-5, $"steps disagree by {err}:\n{ex.ToText()}");
        Assert.EndsWith("= " + Derivation.Compute(bound.Root, x, k).Text, ex.Steps[^1].Text);
    }

    /// <summary>The LaTeX of every golden and table derivation parses with KaTeX (tests/latex, installed by `npm ci`).</summary>
    [Fact]
    public void Derivation_latex_compiles_with_katex()
    {
        var docs = new List<string>();
        foreach (var r in Table) docs.Add(Explain(r[0], r[1], r[2]).Ex.ToLatex());
        foreach (var r in SecondOrder)
        {
            var k = Derivatives.ParseKind(r[2]);
            var b = Binder.Bind(r[0], new BindOptions { PreferScalar = k == DerivativeKind.Hessian });
            docs.Add(Explainer.Explain(b.Root, b.Variable(r[1])!, k).ToLatex());
        }
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Explain", "Golden"), "*.tex"))
            docs.Add(File.ReadAllText(f));
        var dir = Path.Combine(TestPaths.RepoRoot, "tests", "latex");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "katex")),
            "KaTeX is not installed: run `npm ci --prefix tests/latex` (the README's test command and .ci/run do)");
        var psi = new ProcessStartInfo("node", [Path.Combine(dir, "check.js")])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = dir,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(string.Join("\n%%%\n", docs));
        p.StandardInput.Close();
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        p.WaitForExit();
        Assert.Equal(docs.Count, lines.Length);
        for (int i = 0; i < docs.Count; i++) Assert.True(lines[i] == "ok", $"{lines[i]}\n{docs[i]}");
    }

    [Fact]
    public void The_protocol_returns_steps_when_asked()
    {
        var r = JsonNode.Parse(RequestHandler.HandleLine("""{"expr": "tr(A*B)", "wrt": ["A"], "steps": true}"""))!;
        var steps = r["results"]![0]!["steps"]!.AsArray();
        Assert.Equal("differential", (string)steps[0]!["rule"]!);
        Assert.Equal("df = d(tr(A*B))", (string)steps[0]!["text"]!);
        Assert.Equal("read-off", (string)steps[^1]!["rule"]!);
        Assert.Contains("\\nabla", (string)steps[^1]!["latex"]!);
        var none = JsonNode.Parse(RequestHandler.HandleLine("""{"expr": "tr(A*B)", "wrt": ["A"]}"""))!;
        Assert.Null(none["results"]![0]!["steps"]);
    }

    [Fact]
    public void The_command_line_prints_the_steps()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int rc = Nabla.Cli.Commands.Run(["grad", "x'*A*y", "--wrt", "A", "--steps"], o, e);
        Assert.Equal(0, rc);
        Assert.Contains("= tr(y*x'*dA)", o.ToString());
        Assert.Contains("cyclic-trace", o.ToString());
        o = new StringWriter();
        Assert.Equal(0, Nabla.Cli.Commands.Run(["grad", "x'*A*y", "--wrt", "A", "--steps", "--latex"], o, e));
        Assert.Contains("\\begin{align*}", o.ToString());
    }
}
