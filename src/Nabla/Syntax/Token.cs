using Nabla.Diagnostics;
namespace Nabla.Syntax;

/// <summary>The kinds of token the lexer produces.</summary>
public enum TokenKind
{
    /// <summary>A numeric literal.</summary>
    Number,
    /// <summary>An identifier: a variable, function or size name.</summary>
    Name,
    /// <summary>'+'.</summary>
    Plus,
    /// <summary>'-'.</summary>
    Minus,
    /// <summary>'*', the matrix (or scalar) product.</summary>
    Star,
    /// <summary>'/', division by a scalar.</summary>
    Slash,
    /// <summary>'.*', the element-wise product.</summary>
    DotStar,
    /// <summary>'./', the element-wise quotient.</summary>
    DotSlash,
    /// <summary>'^', a scalar or matrix power.</summary>
    Caret,
    /// <summary>'.^', the element-wise power.</summary>
    DotCaret,
    /// <summary>The transpose postfix "'".</summary>
    Quote,
    /// <summary>The transpose postfix '.T'.</summary>
    DotT,
    /// <summary>'('.</summary>
    LParen,
    /// <summary>')'.</summary>
    RParen,
    /// <summary>','.</summary>
    Comma,
    /// <summary>'&lt;'.</summary>
    Less,
    /// <summary>'&gt;'.</summary>
    Greater,
    /// <summary>'='.</summary>
    Assign,
    /// <summary>The end of the input.</summary>
    End,
}

/// <summary>A token of the source text.</summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Span">Where it lies in the source.</param>
/// <param name="Text">The source text it covers.</param>
/// <param name="Value">The value of a number; 0 for any other token.</param>
public readonly record struct Token(TokenKind Kind, TextSpan Span, string Text, double Value = 0);

internal static class TokenKindExtensions
{
    public static string Describe(this TokenKind kind) => kind switch
    {
        TokenKind.Number => "a number",
        TokenKind.Name => "a name",
        TokenKind.Plus => "'+'",
        TokenKind.Minus => "'-'",
        TokenKind.Star => "'*'",
        TokenKind.Slash => "'/'",
        TokenKind.DotStar => "'.*'",
        TokenKind.DotSlash => "'./'",
        TokenKind.Caret => "'^'",
        TokenKind.DotCaret => "'.^'",
        TokenKind.Quote => "\"'\"",
        TokenKind.DotT => "'.T'",
        TokenKind.LParen => "'('",
        TokenKind.RParen => "')'",
        TokenKind.Comma => "','",
        TokenKind.Less => "'<'",
        TokenKind.Greater => "'>'",
        TokenKind.Assign => "'='",
        TokenKind.End => "the end of the input",
        _ => kind.ToString(),
    };
}
