using Nabla.Ops;
using Nabla.Syntax;

namespace Nabla.Semantics;

/// <summary>
/// (v1.6) What the parser reads but binding replaces: a function's other spelling (<c>trace(A)</c> is <c>tr(A)</c>) and
/// the constant <c>pi</c>, which is π unless a declaration or a value makes <c>pi</c> a variable (so expressions that
/// used it as one keep their meaning). Results print <c>tr</c> and the number 3.141592653589793, which reads back as π
/// exactly.
/// </summary>
internal static class Aliases
{
    public const string Pi = "pi";

    public static SyntaxNode Resolve(SyntaxNode root, bool piIsVariable)
    {
        bool any = false;
        Visit(root, n =>
        {
            if (n is CallSyntax c && Functions.Aliases.ContainsKey(c.Name) || !piIsVariable && n is NameSyntax { Name: Pi }) any = true;
        });
        return any ? Map(root, piIsVariable) : root;
    }

    private static void Visit(SyntaxNode root, Action<SyntaxNode> f)
    {
        var stack = new Stack<SyntaxNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            f(n);
            foreach (var k in SyntaxTree.Children(n)) stack.Push(k);
        }
    }

    private static SyntaxNode Map(SyntaxNode n, bool piIsVariable) => n switch
    {
        NameSyntax { Name: Pi } p when !piIsVariable => new NumberSyntax(Math.PI, Pi, p.Span),
        NameSyntax or NumberSyntax => n,
        UnarySyntax u => u with { Operand = Map(u.Operand, piIsVariable) },
        SumSyntax s => s with { Terms = s.Terms.Select(t => Map(t, piIsVariable)).ToList() },
        ProductSyntax p => p with { Factors = p.Factors.Select(f => Map(f, piIsVariable)).ToList() },
        PowerSyntax p => p with { Base = Map(p.Base, piIsVariable), Exponent = Map(p.Exponent, piIsVariable) },
        TransposeSyntax t => t with { Operand = Map(t.Operand, piIsVariable) },
        CallSyntax c => c with
        {
            Name = Functions.Aliases.TryGetValue(c.Name, out var canonical) ? canonical : c.Name,
            // the sizes of eye(n), vector(c, n), matrix(c, m, n) are names of dimensions, never the constant
            Args = c.Args.Select((a, i) => SyntaxTree.IsSizeArgument(c, i) ? a : Map(a, piIsVariable)).ToList(),
        },
        InnerSyntax i => i with { Left = Map(i.Left, piIsVariable), Right = Map(i.Right, piIsVariable) },
        ParenSyntax p => p with { Inner = Map(p.Inner, piIsVariable) },
        _ => throw new InvalidOperationException(n.GetType().Name),
    };
}
