using Nabla.Diagnostics;
namespace Nabla.Syntax;

/// <summary>The parse tree. Chains of '+'/'-' and of '*'-level operators are flat (no deep left spines).</summary>
public abstract record SyntaxNode(TextSpan Span);

public sealed record NumberSyntax(double Value, string Text, TextSpan Span) : SyntaxNode(Span);

public sealed record NameSyntax(string Name, TextSpan Span) : SyntaxNode(Span);

/// <summary>Unary minus or plus.</summary>
public sealed record UnarySyntax(TokenKind Op, SyntaxNode Operand, TextSpan Span) : SyntaxNode(Span);

/// <summary>A sum: the first term, then (op, term) pairs with op '+' or '-'.</summary>
public sealed record SumSyntax(IReadOnlyList<SyntaxNode> Terms, IReadOnlyList<TokenKind> Ops, IReadOnlyList<TextSpan> OpSpans, TextSpan Span) : SyntaxNode(Span);

/// <summary>A '*'-level chain: '*', '/', '.*', './' (left-associative, kept flat).</summary>
public sealed record ProductSyntax(IReadOnlyList<SyntaxNode> Factors, IReadOnlyList<TokenKind> Ops, IReadOnlyList<TextSpan> OpSpans, TextSpan Span) : SyntaxNode(Span);

/// <summary>'^' or '.^'.</summary>
public sealed record PowerSyntax(TokenKind Op, SyntaxNode Base, SyntaxNode Exponent, TextSpan OpSpan, TextSpan Span) : SyntaxNode(Span);

public sealed record TransposeSyntax(SyntaxNode Operand, TextSpan Span) : SyntaxNode(Span);

public sealed record CallSyntax(string Name, TextSpan NameSpan, IReadOnlyList<SyntaxNode> Args, TextSpan Span) : SyntaxNode(Span);

/// <summary>&lt;a, b&gt;, the inner product.</summary>
public sealed record InnerSyntax(SyntaxNode Left, SyntaxNode Right, TextSpan Span) : SyntaxNode(Span);

public sealed record ParenSyntax(SyntaxNode Inner, TextSpan Span) : SyntaxNode(Span);
