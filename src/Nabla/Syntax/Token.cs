using Nabla.Diagnostics;
namespace Nabla.Syntax;

public enum TokenKind
{
    Number, Name, Plus, Minus, Star, Slash, DotStar, DotSlash, Caret, DotCaret,
    Quote, DotT, LParen, RParen, Comma, Less, Greater, Assign, End,
}

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
