using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nabla.LinearAlgebra;
using Xunit.Abstractions;

namespace Nabla.Tests.Codegen;

/// <summary>Compiles C# source in-process against the framework and Nabla, and loads it (collectible).</summary>
public static class InProcessCompiler
{
    public static IReadOnlyList<MetadataReference> References { get; } = BuildReferences();

    private static List<MetadataReference> BuildReferences()
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var refs = tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(Tensor).Assembly.Location));
        return refs;
    }

    public static CSharpCompilation Compilation(IEnumerable<string> sources, string name = "Generated") =>
        CSharpCompilation.Create(name,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"module{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

    /// <summary>The compiled assembly, or the compiler's errors (with the lines they point at) as the exception.</summary>
    public static Assembly Load(CSharpCompilation c, AssemblyLoadContext context)
    {
        using var ms = new MemoryStream();
        var result = c.Emit(ms);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException($"{errors.Count} compile errors:\n" + string.Join("\n", errors.Take(15).Select(d =>
                $"{d} :: {d.Location.SourceTree?.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim()}")));
        ms.Position = 0;
        return context.LoadFromStream(ms);
    }
}

/// <summary>
/// Every C# module generated for the corpus compiles under Roslyn in-process (warnings as the compiler gives them),
/// agrees with Nabla's evaluator to 1e-10 at the corpus's random points, and its own derivative check passes there
/// and at the random point its Main draws.
/// </summary>
public class CSharpCodeTests(ITestOutputHelper output)
{
    [Fact]
    public void CSharp_modules_compile_run_and_agree_with_the_evaluator()
    {
        var cases = CodegenCorpus.Cases;
        var sources = cases.Select(c => c.Emit("csharp")).ToList();
        var compilation = InProcessCompiler.Compilation(sources);
        var context = new AssemblyLoadContext("nabla-codegen-csharp", isCollectible: true);
        try
        {
            var asm = InProcessCompiler.Load(compilation, context);
            var failures = new List<string>();
            foreach (var c in cases)
            {
                string cls = "F" + c.FunctionName[1..] + "Derivatives";
                var type = asm.GetType(cls) ?? throw new InvalidOperationException($"no class {cls}");
                var args = c.Parameters.Select(p => c.Point[p.Name].Kind == ShapeKind.Scalar ? (object)c.Point[p.Name].ScalarValue : c.Point[p.Name]).ToList();
                try
                {
                    var f = type.GetMethod(c.FunctionName)!;
                    // The managed backend (the default); and where the module makes a fused row pass, the native one too.
                    var backends = new List<IBlas?> { null };
                    if (sources[cases.IndexOf(c)].Contains("K.RowPass", StringComparison.Ordinal)) backends.Add(Native);
                    foreach (var blas in backends)
                    {
                    var result = f.Invoke(null, [.. args, blas]);
                    var values = Outputs(result!);
                    if (values.Count != c.Expected.Count) { failures.Add($"{c.Text}: {values.Count} outputs, expected {c.Expected.Count}"); continue; }
                    for (int k = 0; k < values.Count; k++)
                    {
                        var (want, got) = (c.Expected[k], values[k]);
                        if (got.Length != want.Length) { failures.Add($"{c.Text} output {k}: {got.Length} entries, expected {want.Length}"); continue; }
                        double scale = Math.Max(1, want.Max(Math.Abs));
                        double err = want.Zip(got, (a, b) => Math.Abs(a - b)).DefaultIfEmpty(0).Max() / scale;
                        if (!(err <= 1e-10)) failures.Add($"{c.Text} output {k} ({blas?.Name ?? "managed"}): differs by {err:E2} (relative)");
                    }
                    }
                    var check = type.GetMethod("Check" + "F" + c.FunctionName[1..])!;
                    double e = (double)check.Invoke(null, [.. args, 0, 1e-6, null])!;
                    if (!(e <= 1e-5)) failures.Add($"{c.Text}: its own derivative check gives {e:E2}");
                    var main = type.GetMethod("Main")!;
                    var stdout = Console.Out;
                    Console.SetOut(TextWriter.Null);
                    int rc;
                    try { rc = (int)main.Invoke(null, null)!; }
                    finally { Console.SetOut(stdout); }
                    if (rc != 0) failures.Add($"{c.Text}: Main's check at its random point fails");
                }
                catch (TargetInvocationException ex)
                {
                    failures.Add($"{c.Text}: {ex.InnerException!.GetType().Name}: {ex.InnerException.Message}");
                }
            }
            output.WriteLine($"csharp: {cases.Count} modules, {failures.Count} failures");
            Assert.True(failures.Count == 0, $"csharp: {failures.Count} of {cases.Count} modules fail:\n" + string.Join("\n", failures.Take(20)));
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>The four-at-a-time loops and the fused row pass at sizes that are not multiples of four (vector body and tail).</summary>
    [Theory]
    [InlineData("sum(softplus(-y.*(X*w)))", "w")]
    [InlineData("sum(exp(x).*sqrt(abs(y))) + sum(relu(x) + step(x).*log(1+x.*x))", "x")]
    [InlineData("sum(sigmoid(x).^2)/2 + norm2(x)^2", "x")]
    [InlineData("x'*A*x + sum(exp(A*x - b))", "x")]
    public void Vector_loops_agree_at_odd_sizes(string text, string wrt)
    {
        var bound = Nabla.Semantics.Binder.Bind(text, new Nabla.Semantics.BindOptions { PreferScalar = true });
        var x = bound.Variable(wrt)!;
        var d = Nabla.Api.Derivation.Compute(bound.Root, x, Nabla.Calculus.DerivativeKind.Gradient);
        string source = Nabla.Api.Derivation.EmitCode("csharp", text, bound, [(x, d)], "g");
        Assert.True(source.Contains("StoreUnsafe", StringComparison.Ordinal) || source.Contains("Vector256<double>.Zero", StringComparison.Ordinal), "no vector loop in:\n" + source);
        var context = new AssemblyLoadContext("nabla-vector-loops", isCollectible: true);
        try
        {
            var type = InProcessCompiler.Load(InProcessCompiler.Compilation([source]), context).GetType("GDerivatives")!;
            foreach (int size in new[] { 37, 1001 })
            {
                var point = Nabla.Numerics.RandomPoint.Draw(bound.Root, bound.Variables, new Random(size), minSize: size, maxSize: size);
                var args = bound.Variables.Select(v => point[v.Name].Kind == ShapeKind.Scalar ? (object)point[v.Name].ScalarValue : point[v.Name]).ToList();
                foreach (var blas in new IBlas?[] { null, Native })
                {
                    var got = (System.Runtime.CompilerServices.ITuple)type.GetMethod("g")!.Invoke(null, [.. args, blas])!;
                    var ev = new Nabla.Numerics.Evaluator(point, bound.Variables);
                    double value = ev.Evaluate(bound.Root).ScalarValue, mine = (double)got[0]!;
                    Assert.True(Math.Abs(value - mine) <= 1e-10 * Math.Max(1, Math.Abs(value)), $"{text} at {size}: value {mine} vs {value}");
                    var want = ev.Evaluate(d.Result!).Data;
                    var have = ((Tensor)got[1]!).Data;
                    double scale = Math.Max(1, want.Max(Math.Abs));
                    double err = want.Zip(have, (a, b) => Math.Abs(a - b)).Max() / scale;
                    Assert.True(err <= 1e-10, $"{text} at {size} ({blas?.Name ?? "managed"}): gradient differs by {err:E2}");
                }
            }
        }
        finally { context.Unload(); }
    }

    private static readonly IBlas Native = Blas.Create(BlasBackend.Native);

    private static List<double[]> Outputs(object result)
    {
        if (result is double d) return [[d]];
        if (result is Tensor t) return [t.Data];
        if (result is System.Runtime.CompilerServices.ITuple tuple)
            return [.. Enumerable.Range(0, tuple.Length).Select(i => tuple[i] switch { double v => new[] { v }, Tensor x => x.Data, var o => throw new InvalidOperationException(o?.GetType().Name) })];
        throw new InvalidOperationException(result.GetType().Name);
    }
}
