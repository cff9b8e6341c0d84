using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Ops;
using Nabla.Syntax;

namespace Nabla.Semantics;

/// <summary>What the binder needs besides the text.</summary>
public sealed class BindOptions
{
    /// <summary>Declared types, by variable name.</summary>
    public IReadOnlyDictionary<string, VarType> Declarations { get; init; } = new Dictionary<string, VarType>();

    /// <summary>Concrete shapes of variables that have values (fixing their kind and sizes).</summary>
    public IReadOnlyDictionary<string, Shape> ConcreteShapes { get; init; } = new Dictionary<string, Shape>();

    /// <summary>
    /// The shape the whole expression must have (optional): its dimensions (sizes, or symbols shared with
    /// declarations such as vector(n)) fix the sizes of constants that nothing else fixes, as when a printed
    /// result like sum(y)*vector(1) is read back.
    /// </summary>
    public Shape? ExpectedShape { get; init; }

    /// <summary>Prefer typings that make the objective a scalar (gradient and Hessian requests).</summary>
    public bool PreferScalar { get; init; }

    /// <summary>No declarations, shapes or preferences: every name typed by the convention or the expression.</summary>
    public static BindOptions Default { get; } = new();
}

/// <summary>How a variable got its type.</summary>
public enum TypeOrigin
{
    /// <summary>Declared by the user.</summary>
    Declared,
    /// <summary>Fixed by the shape of a value given for it.</summary>
    Value,
    /// <summary>The naming convention (a–g scalar, h–z vector, A–Z matrix).</summary>
    Convention,
    /// <summary>Inferred from how the expression uses it, against the convention.</summary>
    Inferred,
}

/// <summary>A bound expression: the typed IR, its variables and how each was typed.</summary>
public sealed class BoundExpression
{
    internal BoundExpression(string source, SyntaxNode syntax, Expr root, IReadOnlyList<Var> variables,
        IReadOnlyDictionary<string, TypeOrigin> origins, IReadOnlyList<Dim> dims)
    {
        Source = source;
        Syntax = syntax;
        Root = root;
        Variables = variables;
        Origins = origins;
        Dims = dims;
    }

    /// <summary>The text bound.</summary>
    public string Source { get; }
    /// <summary>Its parse tree.</summary>
    public SyntaxNode Syntax { get; }
    /// <summary>The typed IR of the whole expression.</summary>
    public Expr Root { get; }

    /// <summary>The variables in order of first appearance.</summary>
    public IReadOnlyList<Var> Variables { get; }

    /// <summary>How each variable got its type, by name.</summary>
    public IReadOnlyDictionary<string, TypeOrigin> Origins { get; }

    /// <summary>Every dimension of the expression (symbols and sizes), in order of first appearance.</summary>
    public IReadOnlyList<Dim> Dims { get; }

    /// <summary>The variable of that name, or null when the expression has none.</summary>
    public Var? Variable(string name) => Variables.FirstOrDefault(v => v.Name == name);
}

/// <summary>
/// Names → typed <see cref="Expr"/>. Chooses types for undeclared names (spec section 2): the naming
/// convention unless the expression only types otherwise, preferring a scalar objective when asked.
/// </summary>
public static class Binder
{
    private const int MaxDeviations = 3;
    private const long SearchBudget = 4_000_000; // nodes visited across all typing attempts

    /// <summary>Parses and binds <paramref name="text"/>: the typed IR, its variables and how each was typed.</summary>
    public static BoundExpression Bind(string text, BindOptions? options = null)
    {
        options ??= BindOptions.Default;
        var syntax = Parser.Parse(text);
        return Bind(text, syntax, options);
    }

    /// <summary>Binds an already parsed <paramref name="syntax"/> of <paramref name="text"/>.</summary>
    public static BoundExpression Bind(string text, SyntaxNode syntax, BindOptions options)
    {
        syntax = Aliases.Resolve(syntax, options.Declarations.ContainsKey(Aliases.Pi) || options.ConcreteShapes.ContainsKey(Aliases.Pi));
        var names = CollectNames(syntax, out int nodeCount);
        foreach (var (name, span) in names)
            if (Functions.ByName.ContainsKey(name) || name is "dot" or "vector" or "matrix")
                throw new NablaException(ErrorCodes.ParseError, $"{name} is a function: call it as {name}(...)", span);
        var order = names.Select(n => n.Name).Distinct().ToList();

        var fixedKinds = new Dictionary<string, VarKind>();
        var origins = new Dictionary<string, TypeOrigin>();
        foreach (var name in order)
        {
            if (options.Declarations.TryGetValue(name, out var t)) { fixedKinds[name] = t.Kind; origins[name] = TypeOrigin.Declared; }
            else if (options.ConcreteShapes.TryGetValue(name, out var s)) { fixedKinds[name] = VarType.KindOf(s.Kind); origins[name] = TypeOrigin.Value; }
        }
        var free = order.Where(n => !fixedKinds.ContainsKey(n)).ToList();
        var convention = new Dictionary<string, VarKind>(fixedKinds);
        foreach (var n in free) { convention[n] = VarType.Convention(n); origins[n] = TypeOrigin.Convention; }

        var first = Attempt(text, syntax, convention, options, out var firstError);
        if (first is not null && (!options.PreferScalar || first.Value.Root.IsScalar))
            return Build(text, syntax, first.Value.Typer, convention, origins);

        // A typing that checks is changed in at most one name to make the objective scalar; one that fails may be repaired further.
        var best = Search(text, syntax, convention, free, options, nodeCount, first is null ? MaxDeviations : 1);
        if (first is not null) best.RemoveAll(b => !b.Typer.NodeShapes[syntax].IsScalar);
        if (best.Count == 1)
        {
            var (typer, kinds, changed) = best[0];
            foreach (var n in changed) origins[n] = TypeOrigin.Inferred;
            return Build(text, syntax, typer, kinds, origins);
        }
        if (first is not null)
        {
            if (best.Count == 0) return Build(text, syntax, first.Value.Typer, convention, origins);
            var options_ = string.Join("; or ", best.Select(b => string.Join(" and ", b.Changed.Select(n => $"{n} a {Word(b.Kinds[n])}"))));
            var names_ = best.SelectMany(b => b.Changed).Distinct().ToList();
            var at = names.First(n => n.Name == names_[0]).Span;
            throw new NablaException(ErrorCodes.AmbiguousType,
                $"the objective is {first.Value.Typer.Describe(first.Value.Root)} when {string.Join(", ", names_.Select(n => $"{n} is a {Word(convention[n])}"))} (the naming convention), " +
                $"and a scalar when {options_}; declare the types to choose", at);
        }
        throw firstError!;
    }

    private static string Word(VarKind k) => k.ToString().ToLowerInvariant();

    private readonly record struct Typed(Typer Typer, BShape Root);

    private static Typed? Attempt(string text, SyntaxNode syntax, IReadOnlyDictionary<string, VarKind> kinds, BindOptions options, out NablaException? error)
    {
        var typer = new Typer(text, kinds, options.Declarations, options.ConcreteShapes);
        try
        {
            var root = typer.Run(syntax, options.ExpectedShape);
            error = null;
            return new Typed(typer, root);
        }
        catch (NablaException e) when (e.Diagnostic.Code == ErrorCodes.ShapeError)
        {
            error = e;
            return null;
        }
    }

    /// <summary>The typings that differ least from the convention, preferring scalar objectives when asked.</summary>
    private static List<(Typer Typer, Dictionary<string, VarKind> Kinds, List<string> Changed)> Search(
        string text, SyntaxNode syntax, Dictionary<string, VarKind> convention, List<string> free, BindOptions options, int nodeCount, int maxDeviations)
    {
        var found = new List<(Typer, Dictionary<string, VarKind>, List<string>, bool Scalar)>();
        long budget = SearchBudget;
        for (int d = 1; d <= Math.Min(maxDeviations, free.Count); d++)
        {
            foreach (var subset in Subsets(free, d))
            {
                foreach (var choice in Alternatives(subset, convention))
                {
                    budget -= nodeCount;
                    if (budget < 0) goto done;
                    var kinds = new Dictionary<string, VarKind>(convention);
                    foreach (var (n, k) in choice) kinds[n] = k;
                    var r = Attempt(text, syntax, kinds, options, out _);
                    if (r is not null) found.Add((r.Value.Typer, kinds, subset, r.Value.Root.IsScalar));
                }
            }
            if (found.Count > 0 && (!options.PreferScalar || found.Any(f => f.Scalar))) break;
        }
    done:
        var pick = options.PreferScalar && found.Any(f => f.Scalar) ? found.Where(f => f.Scalar) : found;
        return pick.Select(f => (f.Item1, f.Item2, f.Item3)).ToList();
    }

    private static IEnumerable<List<string>> Subsets(List<string> items, int k, int start = 0)
    {
        if (k == 0) { yield return []; yield break; }
        for (int i = start; i <= items.Count - k; i++)
            foreach (var rest in Subsets(items, k - 1, i + 1))
            {
                rest.Insert(0, items[i]);
                yield return rest;
            }
    }

    private static IEnumerable<List<(string, VarKind)>> Alternatives(List<string> subset, Dictionary<string, VarKind> convention, int i = 0)
    {
        if (i == subset.Count) { yield return []; yield break; }
        foreach (var k in new[] { VarKind.Scalar, VarKind.Vector, VarKind.Matrix })
        {
            if (k == convention[subset[i]]) continue;
            foreach (var rest in Alternatives(subset, convention, i + 1))
            {
                rest.Insert(0, (subset[i], k));
                yield return rest;
            }
        }
    }

    /// <summary>The variable names of a parsed expression, in order of first appearance (functions and eye excluded).</summary>
    /// <summary>The variables' names (pi, the constant unless declared, is not among them).</summary>
    public static List<string> Names(SyntaxNode root) => CollectNames(Aliases.Resolve(root, piIsVariable: false), out _).Select(n => n.Name).Distinct().ToList();

    private static List<(string Name, TextSpan Span)> CollectNames(SyntaxNode root, out int count)
    {
        var result = new List<(string, TextSpan)>();
        var stack = new Stack<SyntaxNode>();
        stack.Push(root);
        count = 0;
        var calls = new List<CallSyntax>();
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            count++;
            switch (n)
            {
                case NameSyntax name when name.Name != "eye": result.Add((name.Name, name.Span)); break;
                case ParenSyntax p: stack.Push(p.Inner); break;
                case UnarySyntax u: stack.Push(u.Operand); break;
                case TransposeSyntax t: stack.Push(t.Operand); break;
                case PowerSyntax p: stack.Push(p.Exponent); stack.Push(p.Base); break;
                case InnerSyntax i: stack.Push(i.Right); stack.Push(i.Left); break;
                case SumSyntax s: for (int i = s.Terms.Count - 1; i >= 0; i--) stack.Push(s.Terms[i]); break;
                case ProductSyntax p: for (int i = p.Factors.Count - 1; i >= 0; i--) stack.Push(p.Factors[i]); break;
                case CallSyntax c:
                    calls.Add(c);
                    // The sizes of eye(n), vector(c, n) and matrix(c, m, n) are dimensions, not variables.
                    for (int i = Typer.ValueArgs(c) - 1; i >= 0; i--) stack.Push(c.Args[i]);
                    break;
            }
        }
        var known = Functions.AllNames.ToHashSet();
        foreach (var c in calls.OrderBy(c => c.Span.Start))
            if (!known.Contains(c.Name))
                throw UnknownFunction(c, result.Any(r => r.Item1 == c.Name));
        return result.OrderBy(r => r.Item2.Start).ToList();
    }

    private static NablaException UnknownFunction(CallSyntax c, bool isVariable)
    {
        // A suggestion must keep part of the name: 'x(...)' is a product, not a misspelt 'exp'.
        if (isVariable || !Functions.AllNames.Any(n => Distance(n, c.Name) <= 2 && Distance(n, c.Name) < c.Name.Length))
        {
            string kind = VarType.Convention(c.Name) switch { VarKind.Scalar => "scalar", VarKind.Vector => "vector", _ => "matrix" };
            return new NablaException(ErrorCodes.UnknownFunction,
                $"unknown function '{c.Name}'; to multiply the {kind} {c.Name} by the parentheses write {c.Name}*(...)", c.NameSpan);
        }
        var nearest = Functions.AllNames.OrderBy(n => Distance(n, c.Name)).ThenBy(n => n, StringComparer.Ordinal).First();
        return new NablaException(ErrorCodes.UnknownFunction, $"unknown function '{c.Name}'; did you mean '{nearest}'?", c.NameSpan);
    }

    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    private static BoundExpression Build(string text, SyntaxNode syntax, Typer typer, IReadOnlyDictionary<string, VarKind> kinds,
        Dictionary<string, TypeOrigin> origins)
    {
        var namer = new DimNamer(typer.Dims);
        var vars = new Dictionary<string, Var>();
        foreach (var (name, s) in typer.VarShapes)
            vars[name] = new Var(name, namer.Resolve(s), kinds[name] == VarKind.Symmetric);
        var root = new ExprBuilder(typer, namer, vars).Build(syntax);
        var ordered = typer.VarShapes.Keys.Select(n => vars[n]).ToList();
        var dims = typer.Dims.Select(namer.Name).Distinct().ToList();
        return new BoundExpression(text, syntax, root, ordered, origins.Where(o => vars.ContainsKey(o.Key)).ToDictionary(), dims);
    }
}
