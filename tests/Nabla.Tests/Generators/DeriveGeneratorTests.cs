using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nabla.Api;
using Nabla.Generators;
using Nabla.LinearAlgebra;
using Nabla.Numerics;
using Nabla.Semantics;
using Nabla.Tests.Codegen;
using Binder = Nabla.Semantics.Binder;

namespace Nabla.Tests.Generators;

/// <summary>
/// The [Derive] source generator, run through a compilation: the method it writes compiles, returns what Nabla's
/// evaluator gives for the value and the derivatives, and every mistake is a compiler error at the place it names,
/// word for word.
/// </summary>
public class DeriveGeneratorTests
{
    private static (CSharpCompilation Output, IReadOnlyList<Diagnostic> Generator) Run(string user)
    {
        var input = InProcessCompiler.Compilation([user], "User");
        var driver = CSharpGeneratorDriver.Create(new DeriveGenerator()).WithUpdatedParseOptions(new CSharpParseOptions(LanguageVersion.Latest));
        driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
        return ((CSharpCompilation)output, diagnostics);
    }

    private static string User(string method, string usings = "") => $$"""
        using Nabla;
        using Nabla.LinearAlgebra;
        {{usings}}
        namespace Demo;

        public static partial class Model
        {
        {{method}}
        }
        """;

    /// <summary>The generator's diagnostics as "ID (line,col)-(line,col): message", lines and columns 1-based.</summary>
    private static List<string> Said(IReadOnlyList<Diagnostic> diagnostics) =>
        [.. diagnostics.Select(d =>
        {
            var s = d.Location.GetLineSpan().Span;
            return $"{d.Id} ({s.Start.Line + 1},{s.Start.Character + 1})-({s.End.Line + 1},{s.End.Character + 1}): {d.GetMessage()}";
        })];

    private static Assembly Load(CSharpCompilation c, AssemblyLoadContext context) => InProcessCompiler.Load(c, context);

    private static Dictionary<string, Tensor> Point(string expression, BindOptions? options = null)
    {
        var bound = Binder.Bind(expression, options ?? new BindOptions { PreferScalar = true });
        return RandomPoint.Draw(bound.Root, bound.Variables, new Random(7));
    }

    [Fact]
    public void The_logistic_loss_gets_its_value_and_gradient_at_build_time()
    {
        var (output, said) = Run(User("""
                [Derive("sum(softplus(-y.*(X*w)))", Wrt = "w")]
                public static partial (double Value, Tensor Gradient) Loss(Tensor X, Tensor y, Tensor w);
            """));
        Assert.Empty(said);
        var context = new AssemblyLoadContext("derive-logistic", isCollectible: true);
        try
        {
            var loss = Load(output, context).GetType("Demo.Model")!.GetMethod("Loss")!;
            var f = NablaMath.Parse("sum(softplus(-y.*(X*w)))");
            var values = Point("sum(softplus(-y.*(X*w)))");
            var got = (System.Runtime.CompilerServices.ITuple)loss.Invoke(null, [values["X"], values["y"], values["w"]])!;
            Assert.Equal(f.Evaluate(values).ScalarValue, (double)got[0]!, 12);
            var grad = f.Gradient("w").Evaluate(values).Data;
            var mine = ((Tensor)got[1]!).Data;
            Assert.Equal(grad.Length, mine.Length);
            for (int i = 0; i < grad.Length; i++) Assert.Equal(grad[i], mine[i], 12);
        }
        finally { context.Unload(); }
    }

    [Fact]
    public void Several_variables_a_hessian_a_scalar_and_a_backend()
    {
        var (output, said) = Run(User("""
                [Derive("x'*A*x + c*sum(exp(x))", Wrt = "x, c", Kind = "hessian", Vars = "A: symmetric")]
                internal static partial (double, Tensor, double) Curvature(Tensor A, Tensor x, double c, IBlas? blas = null);
            """));
        Assert.Empty(said);
        var context = new AssemblyLoadContext("derive-hessian", isCollectible: true);
        try
        {
            var m = Load(output, context).GetType("Demo.Model")!.GetMethod("Curvature", BindingFlags.Static | BindingFlags.NonPublic)!;
            var options = new BindOptions { Declarations = new Dictionary<string, VarType> { ["A"] = new(VarKind.Symmetric), ["c"] = VarType.Scalar }, PreferScalar = true };
            var values = Point("x'*A*x + c*sum(exp(x))", options);
            var got = (System.Runtime.CompilerServices.ITuple)m.Invoke(null, [values["A"], values["x"], values["c"].ScalarValue, Blas.Managed])!;
            var f = Binder.Bind("x'*A*x + c*sum(exp(x))", options);
            var ev = new Evaluator(values, f.Variables);
            var hx = Derivation.Compute(f.Root, f.Variable("x")!, Nabla.Calculus.DerivativeKind.Hessian).Result!;
            var hc = Derivation.Compute(f.Root, f.Variable("c")!, Nabla.Calculus.DerivativeKind.Hessian).Result!;
            Assert.Equal(ev.Evaluate(f.Root).ScalarValue, (double)got[0]!, 12);
            Assert.Equal(ev.Evaluate(hx).Data, ((Tensor)got[1]!).Data, new Tolerance(1e-12));
            Assert.Equal(ev.Evaluate(hc).ScalarValue, (double)got[2]!, 12);
        }
        finally { context.Unload(); }
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps * Math.Max(1, Math.Abs(a));
        public int GetHashCode(double v) => 0;
    }

    [Fact]
    public void The_generated_source_compiles_without_warnings()
    {
        var (output, said) = Run(User("""
                [Derive("logdet(S) - tr(inv(S)*C)", Wrt = "S", Vars = "S: symmetric; C: symmetric")]
                public static partial (double, Tensor) LogLikelihood(Tensor S, Tensor C);
            """));
        Assert.Empty(said);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("""[Derive("x'*A*", Wrt = "x")] public static partial (double, Tensor) F(Tensor A, Tensor x);""",
        "NABLA001 (8,19)-(8,19): expected a number, a name, '(' or '<', but the expression ended")]
    [InlineData("""[Derive("x'*A*x + sinc(x)", Wrt = "x")] public static partial (double, Tensor) F(Tensor A, Tensor x);""",
        "NABLA001 (8,23)-(8,27): unknown function 'sinc'; did you mean 'sin'?")]
    [InlineData("""[Derive("x'*A*x", Wrt = "x")] public static partial (double, Tensor) F(Tensor x);""",
        "NABLA002 (8,74)-(8,75): F has no parameter 'A' for the expression's matrix A (n, n): add 'Tensor A'")]
    [InlineData("""[Derive("a*sum(x)", Wrt = "x")] public static partial (double, Tensor) F(Tensor a, Tensor x);""",
        "NABLA002 (8,85)-(8,86): parameter 'a' must be a double (the expression's scalar a), not Tensor")]
    [InlineData("""[Derive("x'*x", Wrt = "x")] public static partial (double, Tensor) F(Tensor x, Tensor z);""",
        "NABLA002 (8,91)-(8,92): parameter 'z' is not a variable of the expression")]
    [InlineData("""[Derive("x'*A*x", Wrt = "x")] public static partial double F(Tensor A, Tensor x);""",
        "NABLA003 (8,57)-(8,63): F must return (double, Tensor): the value, then the gradient with respect to x")]
    [InlineData("""[Derive("x'*A*x", Wrt = "x")] public static (double, Tensor) F(Tensor A, Tensor x) => default;""",
        "NABLA004 (8,66)-(8,67): F already has a body; [Derive] writes it, so declare the method without one")]
    [InlineData("""[Derive("x'*A*x", Wrt = "x", Kind = "laplacian")] public static partial (double, Tensor) F(Tensor A, Tensor x);""",
        "NABLA005 (8,6)-(8,53): Kind = \"laplacian\" is not a derivative: use \"gradient\", \"jacobian\" or \"hessian\"")]
    [InlineData("""[Derive("x'*A*x")] public static partial (double, Tensor) F(Tensor A, Tensor x);""",
        "NABLA005 (8,6)-(8,22): Wrt names no variable: write Wrt = \"w\" (several: Wrt = \"w, b\")")]
    [InlineData("""[Derive("x'*A*x", Wrt = "q")] public static partial (double, Tensor) F(Tensor A, Tensor x);""",
        "NABLA005 (8,6)-(8,33): Wrt names 'q', which is neither a variable of the expression nor a parameter of F")]
    [InlineData("""[Derive("x'*A*x", Wrt = "x", Vars = "A: tensor")] public static partial (double, Tensor) F(Tensor A, Tensor x);""",
        "NABLA005 (8,6)-(8,53): Vars entry 'A: tensor': bad type 'tensor': the types are scalar, vector, vector(n), matrix, matrix(m,n), symmetric and symmetric(n), each optionally followed by positive (not symmetric), and spd, spd(n), psd, psd(n)")]
    [InlineData("""[Derive("A*X", Wrt = "X", Kind = "jacobian")] public static partial (Tensor, Tensor) F(Tensor A, Tensor X);""",
        "NABLA006 (8,6)-(8,49): the jacobian with respect to X has only an index form; code is generated for matrix-form results")]
    [InlineData("""[Derive("x'*x", Wrt = "x")] public static partial (double, Tensor) F(ref Tensor x);""",
        "NABLA002 (8,85)-(8,86): parameter 'x' is passed by ref; [Derive] takes its inputs by value and returns its results")]
    [InlineData("""[Derive("", Wrt = "x")] public static partial (double, Tensor) F(Tensor x);""",
        "NABLA001 (8,13)-(8,15): the expression is empty")]
    [InlineData("""[Derive("x'*A*x", Wrt = "x", Vars = "A symmetric")] public static partial (double, Tensor) F(Tensor A, Tensor x);""",
        "NABLA005 (8,6)-(8,55): Vars entry 'A symmetric' must be name: type, e.g. \"A: symmetric\"")]
    [InlineData("""[Derive("x'*x", Wrt = "x")] public static partial (double, Tensor) F(Tensor x, IBlas a, IBlas b);""",
        "NABLA002 (8,99)-(8,100): F takes one IBlas at most")]
    public void Mistakes_are_compiler_errors_where_they_are(string method, string expected)
    {
        var (_, said) = Run(User("    " + method));
        string got = string.Join("\n", Said(said));
        Assert.True(got == expected, "got: " + got);
    }

    [Fact]
    public void A_method_in_a_type_that_is_not_partial_is_refused()
    {
        var (_, said) = Run("""
            using Nabla;
            using Nabla.LinearAlgebra;
            public static class Outer
            {
                public static partial class Model
                {
                    [Derive("x'*x", Wrt = "x")] public static partial (double, Tensor) F(Tensor x);
                }
            }
            """);
        string got = string.Join("\n", Said(said));
        Assert.True(got == "NABLA004 (7,76)-(7,77): F must be declared partial, and so must every type that contains it, for Nabla to write its body", "got: " + got);
    }
}
