using System.Globalization;
using Nabla.Diagnostics;

namespace Nabla.Syntax;

/// <summary>Turns source text into tokens. Errors are thrown as <see cref="NablaException"/> with a span.</summary>
public static class Lexer
{
    /// <summary>The tokens of <paramref name="text"/>, ending with <see cref="TokenKind.End"/>.</summary>
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, new TextSpan(text.Length, text.Length), ""));
                return tokens;
            }
            char c = text[i];
            int start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                i = ScanNumber(text, i);
                string s = text[start..i];
                if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsInfinity(v))
                    throw new NablaException(ErrorCodes.ParseError, $"the number '{s}' is out of range", new TextSpan(start, i));
                tokens.Add(new Token(TokenKind.Number, new TextSpan(start, i), s, v));
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
                {
                    int j = i;
                    while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_')) j++;
                    throw new NablaException(ErrorCodes.ParseError,
                        $"implicit multiplication is not allowed: write '{s}*{text[i..j]}' instead of '{s}{text[i..j]}'",
                        new TextSpan(start, j));
                }
                continue;
            }
            if (char.IsAsciiLetter(c))
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Name, new TextSpan(start, i), text[start..i]));
                continue;
            }
            TokenKind kind;
            int len = 1;
            switch (c)
            {
                case '+': kind = TokenKind.Plus; break;
                case '-': kind = TokenKind.Minus; break;
                case '*': kind = TokenKind.Star; break;
                case '/': kind = TokenKind.Slash; break;
                case '^': kind = TokenKind.Caret; break;
                case '\'': kind = TokenKind.Quote; break;
                case '(': kind = TokenKind.LParen; break;
                case ')': kind = TokenKind.RParen; break;
                case ',': kind = TokenKind.Comma; break;
                case '<': kind = TokenKind.Less; break;
                case '>': kind = TokenKind.Greater; break;
                case '=': kind = TokenKind.Assign; break; // only in 'where' bindings (the parser says so elsewhere)
                case '.':
                    char n = i + 1 < text.Length ? text[i + 1] : '\0';
                    len = 2;
                    if (n == '*') kind = TokenKind.DotStar;
                    else if (n == '/') kind = TokenKind.DotSlash;
                    else if (n == '^') kind = TokenKind.DotCaret;
                    else if (n == 'T' && (i + 2 >= text.Length || !(char.IsAsciiLetterOrDigit(text[i + 2]) || text[i + 2] == '_'))) kind = TokenKind.DotT;
                    else throw new NablaException(ErrorCodes.ParseError,
                        "unexpected '.': element-wise operators are '.*', './' and '.^', and '.T' transposes",
                        new TextSpan(i, i + 1));
                    break;
                default:
                    string shown = char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
                    string hint = c switch
                    {
                        '[' or ']' or '{' or '}' => "; group with '(' and ')'",
                        '`' or '\u2019' or '\u2032' => "; transpose with \"'\" or '.T'",
                        '\u22c5' or '\u00d7' or '\u00b7' => "; multiply with '*'",
                        _ => "",
                    };
                    throw new NablaException(ErrorCodes.ParseError, $"unexpected character '{shown}'{hint}", new TextSpan(i, i + 1));
            }
            i += len;
            tokens.Add(new Token(kind, new TextSpan(start, i), text[start..i]));
        }
    }

    private static int ScanNumber(string text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        // A '.' followed by '*', '/', '^' or 'T' is an element-wise operator, not a decimal point.
        if (i < text.Length && text[i] == '.' && !(i + 1 < text.Length && text[i + 1] is '*' or '/' or '^' or 'T'))
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            int j = i + 1;
            if (j < text.Length && (text[j] == '+' || text[j] == '-')) j++;
            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                i = j;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            }
        }
        return i;
    }
}
