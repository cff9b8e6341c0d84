using System.Text.Json;
using Nabla.Api;
using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Numerics;
using Nabla.Semantics;
using Nabla.Tests.Calculus;

namespace Nabla.Tests.Codegen;

/// <summary>
/// The expressions generated code is tested on: the seed problems, the identity table, and random well-typed
/// expressions of the sweep; each with its derivatives (matrix forms), a random point in the functions' domains, and
/// Nabla's own values there.
/// </summary>
public sealed record CodegenCase(int Index, string Text, BoundExpression Bound, List<(Var Wrt, DerivativeResult Result)> Derivatives,
    List<Var> Parameters, Dictionary<string, Tensor> Point, List<double[]> Expected)
{
    public string FunctionName => "f" + Index;

    public string Emit(string target) => Derivation.EmitCode(target, Text, Bound, Derivatives, FunctionName);
}

public static class CodegenCorpus
{
    private static readonly Lazy<List<CodegenCase>> All = new(Build);

    public static List<CodegenCase> Cases => All.Value;

    private static readonly Dictionary<string, VarType> SweepTypes = new()
    {
        ["a"] = VarType.Parse("scalar"), ["b"] = VarType.Parse("scalar"),
        ["x"] = VarType.Parse("vector(n)"), ["y"] = VarType.Parse("vector(n)"), ["z"] = VarType.Parse("vector(m)"),
        ["A"] = VarType.Parse("matrix(n,n)"), ["B"] = VarType.Parse("matrix(n,n)"), ["C"] = VarType.Parse("matrix(m,n)"),
        ["S"] = VarType.Parse("symmetric(n)"),
    };

    private static IEnumerable<(string Expr, Dictionary<string, VarType> Decls, string[]? Wrt, DerivativeKind? Kind)> Sources()
    {
        foreach (var line in File.ReadLines(Path.Combine(TestPaths.RepoRoot, "tests", "cases", "seed.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var req = doc.RootElement.GetProperty("request");
            var decls = req.TryGetProperty("vars", out var vs)
                ? vs.EnumerateObject().ToDictionary(p => p.Name, p => VarType.Parse(p.Value.GetString()!)) : [];
            var wrt = req.TryGetProperty("wrt", out var w) ? w.EnumerateArray().Select(e => e.GetString()!).ToArray() : null;
            DerivativeKind? kind = req.TryGetProperty("derivative", out var dk) ? Derivatives.ParseKind(dk.GetString()!) : null;
            yield return (req.GetProperty("expr").GetString()!, decls, wrt, kind);
        }
        foreach (var (table, kind) in new[] { (IdentityTable.Gradients, DerivativeKind.Gradient), (IdentityTable.Hessians, DerivativeKind.Hessian), (IdentityTable.Jacobians, DerivativeKind.Jacobian) })
            foreach (var row in table)
                yield return ((string)row[0], CalcHelpers.Decls((string)row[1]), [(string)row[2]], kind);
        for (int seed = 1; seed <= 110; seed++)
        {
            var (text, _, declared) = Properties.Sweep.Draw(seed);
            yield return (text, declared ? SweepTypes : [], null, null);
        }
        // Forms each target writes its own way: outer products, solves, broadcasts for diag, the stable functions.
        string[] extra =
        [
            "sum(erf(x).*gelu(x))", "sum(log1p(x.*x)+expm1(x/4))", "sum(cosh(x/3)-sinh(x/3))", "mean(A*x)+mean(x.^2)", "trace(A)*pi", "tr(expm(A)*B)+x'*expm(A/2)*x", "tr(logm(eye+A*A')*B)+x'*sqrtm(eye+A'*A)*x",
            "sum(softplus(-y.*(X*w)))", "log(1+exp(-y*<w,x>))", "logsumexp(W*x)", "sum(softmax(W*x).*y)", "x'*inv(A)*x",
            "norm2(A*x-b)^2", "norm1(x)+relu(a)", "tr(adj(A)*B)", "sum(sigmoid(x).*tanh(x))", "arctan(a)*arcsin(a/2)+arccos(a/3)",
            "sum(sqrt(x.*x+1))", "(x'*A*x)/(x'*x)", "det(A)^2", "sum(exp(X*w-y))+lambda*w'*w", "tr(A^3)", "tr(A^-1*B)",
            "sum(abs(x).*sign(x))", "logdet(A'*A+eye)", "x'*diag(y)*x", "sum(diag(A).^2)", "sum(tan(x/4).*cos(x))",
            // traces of products (summed entry-wise, with each transpose), a product two results share
            "tr(A'*B)", "tr(A*B'*C)", "-3*tr(A*B)", "tr(x*y')", "tr(A'*X'*B)", "x'*A*x + sum(A*x)",
        ];
        foreach (var e in extra) yield return (e, [], null, null);
    }

    private static List<CodegenCase> Build()
    {
        var cases = new List<CodegenCase>();
        var rng = new Random(20261202);
        foreach (var (text, decls, wrtNames, kind) in Sources())
        {
            try
            {
                var options = new BindOptions { Declarations = decls, PreferScalar = kind != DerivativeKind.Jacobian };
                var bound = Binder.Bind(text, options);
                var k = kind ?? (bound.Root.Shape.IsScalar ? DerivativeKind.Gradient : DerivativeKind.Jacobian);
                if (k == DerivativeKind.Jacobian && bound.Root.Shape.Kind is ShapeKind.Matrix or ShapeKind.Row) continue;
                var wrt = (wrtNames ?? bound.Variables.Select(v => v.Name).ToArray()).Select(w => Derivation.WrtVariable(bound, w, options)).ToList();
                var ds = new List<(Var, DerivativeResult)>();
                foreach (var x in wrt)
                {
                    var d = Derivation.Compute(bound.Root, x, k);
                    if (d.Result is not null) ds.Add((x, d));
                }
                if (ds.Count == 0) continue;
                var parameters = bound.Variables.Concat(ds.Select(d => d.Item1).Where(x => bound.Variable(x.Name) is null)).ToList();
                var point = RandomPoint.Draw(bound.Root, parameters, rng);
                var ev = new Evaluator(point, parameters);
                var expected = new List<double[]> { ev.Evaluate(bound.Root).Data };
                foreach (var (_, d) in ds) expected.Add(ev.Evaluate(d.Result!).Data);
                if (expected.Any(v => v.Any(double.IsNaN) || v.Any(double.IsInfinity) || v.Any(z => Math.Abs(z) > 1e8))) continue;
                cases.Add(new CodegenCase(cases.Count, text, bound, ds, parameters, point, expected));
            }
            catch (NablaException)
            {
                // Undefined at the point or not differentiable as asked: not a case for code.
            }
        }
        return cases;
    }
}
