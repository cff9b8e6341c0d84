using Nabla.Diagnostics;
namespace Nabla.Syntax;

/// <summary>The parse tree. Chains of '+'/'-' and of '*'-level operators are flat (no deep left spines).</summary>
public abstract record SyntaxNode(TextSpan Span);

/// <summary>A numeric literal.</summary>
/// <param name="Value">The number's value.</param>
/// <param name="Text">The literal as written.</param>
/// <param name="Span">Where it lies in the source.</param>
public sealed record NumberSyntax(double Value, string Text, TextSpan Span) : SyntaxNode(Span);

/// <summary>A name: a variable, a size, or a where-binding.</summary>
/// <param name="Name">The name as written.</param>
/// <param name="Span">Where it lies in the source.</param>
public sealed record NameSyntax(string Name, TextSpan Span) : SyntaxNode(Span);

/// <summary>Unary minus or plus.</summary>
public sealed record UnarySyntax(TokenKind Op, SyntaxNode Operand, TextSpan Span) : SyntaxNode(Span);

/// <summary>A sum: the first term, then (op, term) pairs with op '+' or '-'.</summary>
public sealed record SumSyntax(IReadOnlyList<SyntaxNode> Terms, IReadOnlyList<TokenKind> Ops, IReadOnlyList<TextSpan> OpSpans, TextSpan Span) : SyntaxNode(Span);

/// <summary>A '*'-level chain: '*', '/', '.*', './' (left-associative, kept flat).</summary>
public sealed record ProductSyntax(IReadOnlyList<SyntaxNode> Factors, IReadOnlyList<TokenKind> Ops, IReadOnlyList<TextSpan> OpSpans, TextSpan Span) : SyntaxNode(Span);

/// <summary>'^' or '.^'.</summary>
public sealed record PowerSyntax(TokenKind Op, SyntaxNode Base, SyntaxNode Exponent, TextSpan OpSpan, TextSpan Span) : SyntaxNode(Span);

/// <summary>A postfix transpose, X' or X.T.</summary>
/// <param name="Operand">The expression transposed.</param>
/// <param name="Span">Where the whole transpose lies in the source.</param>
public sealed record TransposeSyntax(SyntaxNode Operand, TextSpan Span) : SyntaxNode(Span);

/// <summary>A call f(a, b, …) of a function or special form.</summary>
/// <param name="Name">The function's name as written.</param>
/// <param name="NameSpan">Where the name lies in the source.</param>
/// <param name="Args">The arguments, in order.</param>
/// <param name="Span">Where the whole call lies in the source.</param>
public sealed record CallSyntax(string Name, TextSpan NameSpan, IReadOnlyList<SyntaxNode> Args, TextSpan Span) : SyntaxNode(Span);

/// <summary>&lt;a, b&gt;, the inner product.</summary>
public sealed record InnerSyntax(SyntaxNode Left, SyntaxNode Right, TextSpan Span) : SyntaxNode(Span);

/// <summary>An expression in parentheses, kept so that diagnostics can point at what the user wrote.</summary>
/// <param name="Inner">The expression inside.</param>
/// <param name="Span">Where it lies in the source, parentheses included.</param>
public sealed record ParenSyntax(SyntaxNode Inner, TextSpan Span) : SyntaxNode(Span);

/// <summary>Walking syntax trees: the one list of each node's children, and which call arguments are sizes.</summary>
public static class SyntaxTree
{
    /// <summary>A node's children in source order.</summary>
    public static IEnumerable<SyntaxNode> Children(SyntaxNode n) => n switch
    {
        UnarySyntax u => [u.Operand],
        SumSyntax s => s.Terms,
        ProductSyntax p => p.Factors,
        PowerSyntax p => [p.Base, p.Exponent],
        TransposeSyntax t => [t.Operand],
        CallSyntax c => c.Args,
        InnerSyntax i => [i.Left, i.Right],
        ParenSyntax p => [p.Inner],
        _ => [],
    };

    /// <summary>Whether argument <paramref name="i"/> of the call is a size (eye(n), vector(c, n), matrix(c, m, n)): a dimension's name, never a value.</summary>
    public static bool IsSizeArgument(CallSyntax c, int i) => (c.Name, i) is ("eye", _) or ("vector", > 0) or ("matrix", > 0);
}
