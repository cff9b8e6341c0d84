using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Nabla.Tests.Architecture;

/// <summary>
/// The library's namespaces form a one-way pipeline (docs/design.md): each may use those below it, never one above.
/// The check is semantic (Roslyn binds every name in src/Nabla), so a using directive, a qualified name, an
/// extension method or a type reached through the parent namespace are all seen.
/// </summary>
public class LayeringTests
{
    /// <summary>The pipeline, lowest first. The root namespace <c>Nabla</c> is the API layer.</summary>
    public static readonly string[] Layers =
    [
        "Diagnostics", "Syntax", "LinearAlgebra", "Expressions", "Ops", "Semantics", "Printing", "Simplify",
        "Calculus", "Numerics", "Codegen", "Explain", "Checking", "Convexity", "Data", "Optimization", "Models", "Api", "Protocol",
    ];

    private static int Rank(INamespaceSymbol? ns)
    {
        var name = ns?.ToDisplayString() ?? "";
        if (name == "Nabla") return Array.IndexOf(Layers, "Api");
        if (!name.StartsWith("Nabla.", StringComparison.Ordinal)) return -1;
        var top = name["Nabla.".Length..].Split('.')[0];
        int r = Array.IndexOf(Layers, top);
        return r >= 0 ? r : throw new InvalidOperationException($"namespace {name} is not in the layer list; add it to LayeringTests.Layers");
    }

    private static readonly Lazy<(CSharpCompilation Compilation, List<SyntaxTree> Trees)> Compiled = new(CompileSources);

    private static (CSharpCompilation Compilation, List<SyntaxTree> Trees) Compile() => Compiled.Value;

    private static (CSharpCompilation Compilation, List<SyntaxTree> Trees) CompileSources()
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src", "Nabla");
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, Path.GetRelativePath(TestPaths.RepoRoot, f)))
            .ToList();
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll").Where(f => !Path.GetFileName(f).StartsWith("Nabla", StringComparison.Ordinal));
        var refs = platform.Concat(local).Distinct().Select(p => MetadataReference.CreateFromFile(p));
        var globalUsings = CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;", options);
        trees.Add(globalUsings);
        var c = CSharpCompilation.Create("NablaLayering", trees, refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        return (c, trees);
    }

    public static List<string> Violations()
    {
        var (compilation, trees) = Compile();
        var errors = compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795") // [LibraryImport]'s generated halves are not here
            .Take(5).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("the layering check could not compile src/Nabla: " + string.Join("; ", errors));
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not (SimpleNameSyntax or InvocationExpressionSyntax or ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax)) continue;
                var symbol = model.GetSymbolInfo(node).Symbol;
                if (symbol is null || !symbol.Locations.Any(l => l.IsInSource)) continue;
                var target = symbol is INamespaceSymbol n ? n : symbol.ContainingNamespace;
                if (symbol is INamespaceSymbol) continue; // a using directive alone is harmless; what it brings in is checked where used
                var user = model.GetEnclosingSymbol(node.SpanStart)?.ContainingNamespace;
                if (user is null) continue;
                int from = Rank(user), to = Rank(target);
                if (from >= 0 && to > from)
                {
                    var line = tree.GetLineSpan(node.Span).StartLinePosition.Line + 1;
                    found.Add($"{tree.FilePath}:{line}: {user.ToDisplayString()} uses {symbol.ToDisplayString()} ({target.ToDisplayString()} is above it)");
                }
            }
        }
        return [.. found];
    }

    [Fact]
    public void No_namespace_reaches_back_up_the_pipeline()
    {
        var v = Violations();
        Assert.True(v.Count == 0, $"{v.Count} references point back up the pipeline:\n" + string.Join("\n", v));
    }

    [Fact]
    public void Every_namespace_is_a_layer()
    {
        var (compilation, _) = Compile();
        var spaces = new List<string>();
        void Walk(INamespaceSymbol ns)
        {
            foreach (var t in ns.GetTypeMembers())
                if (t.Locations.Any(l => l.IsInSource)) { Rank(ns); spaces.Add(ns.ToDisplayString()); break; }
            foreach (var child in ns.GetNamespaceMembers()) Walk(child);
        }
        Walk(compilation.GlobalNamespace);
        Assert.Contains("Nabla.Expressions", spaces);
    }

    /// <summary>
    /// Where an op of the registry is still named outside <c>Ops/</c> (a <c>Functions.X</c> field): at most these many
    /// references per namespace, none in the others. A ratchet: lower a figure when a reference goes (the registry
    /// issue's aim is none outside the ops, save constructing an op's call where a rule needs one).
    /// </summary>
    public static readonly Dictionary<string, int> NamedOps = new()
    {
        ["Nabla.Calculus"] = 40, ["Nabla.Explain"] = 12, ["Nabla.Numerics"] = 7, ["Nabla.Simplify"] = 34,
    };

    [Fact]
    public void Ops_are_named_outside_the_registry_no_more_than_before()
    {
        var (compilation, trees) = Compile();
        var counts = new Dictionary<string, int>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (model.GetSymbolInfo(node).Symbol is not IFieldSymbol { IsStatic: true } f) continue;
                if (f.ContainingType.ToDisplayString() != "Nabla.Ops.Functions" || f.Name is "ByName" or "SpecialForms" or "Aliases") continue; // lookups by name are the registry's use
                var user = model.GetEnclosingSymbol(node.SpanStart)?.ContainingNamespace?.ToDisplayString() ?? "";
                if (user == "Nabla.Ops") continue;
                counts[user] = counts.GetValueOrDefault(user) + 1;
            }
        }
        var over = counts.Where(kv => kv.Value > NamedOps.GetValueOrDefault(kv.Key))
            .Select(kv => $"{kv.Key}: {kv.Value} references to Functions.X (at most {NamedOps.GetValueOrDefault(kv.Key)})").ToList();
        Assert.True(over.Count == 0, "ops named outside the registry:\n" + string.Join("\n", over));
    }
}
