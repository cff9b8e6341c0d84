using Nabla.Diagnostics;

namespace Nabla.Syntax;

/// <summary>
/// Recursive-descent parser for docs/language.md section 3. Binary precedence lives in one table
/// (<see cref="Levels"/>); nesting depth and input length are bounded so that hostile input fails fast.
/// </summary>
public sealed class Parser
{
    /// <summary>Longest accepted input, in characters.</summary>
    public const int MaxLength = 65_536;

    /// <summary>Deepest accepted nesting of parentheses, calls, unary operators and powers.</summary>
    public const int MaxDepth = 200;

    /// <summary>
    /// Tallest accepted tree, counting every operation (a transpose, a '/', a call, ...). The top-down
    /// <see cref="MaxDepth"/> does not see left nesting such as ((x')')' or ((a/b)/c)/d, which the
    /// recursive passes (typing, printing, differentiation) still walk one frame per level.
    /// </summary>
    public const int MaxHeight = 1000;

    /// <summary>The binary operator levels, lowest first. '^' and '.^' (right-associative) sit above these.</summary>
    internal static readonly TokenKind[][] Levels =
    [
        [TokenKind.Plus, TokenKind.Minus],
        [TokenKind.Star, TokenKind.Slash, TokenKind.DotStar, TokenKind.DotSlash],
    ];

    private readonly List<Token> _tokens;
    private readonly string _text;
    private int _pos;
    private int _depth;
    private readonly Dictionary<SyntaxNode, int> _heights = new(ReferenceEqualityComparer.Instance);

    private int H(SyntaxNode n) => _heights.TryGetValue(n, out int h) ? h : 1;

    private T Made<T>(T node, int height, TextSpan at) where T : SyntaxNode
    {
        if (height > MaxHeight)
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"the expression is nested more than {MaxHeight} operations deep", at);
        _heights[node] = height;
        return node;
    }

    private Parser(string text, List<Token> tokens)
    {
        _text = text;
        _tokens = tokens;
    }

    /// <summary>The parse tree of <paramref name="text"/>; a syntax error throws a parse_error with the place.</summary>
    public static SyntaxNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"the expression is {text.Length:N0} characters long; the limit is {MaxLength:N0}");
        if (string.IsNullOrWhiteSpace(text))
            throw new NablaException(ErrorCodes.ParseError, "the expression is empty", new TextSpan(0, text.Length));
        var parser = new Parser(text, Lexer.Tokenize(text));
        var node = parser.ParseLevel(0);
        if (parser.Peek is { Kind: TokenKind.Name, Text: WhereBindings.Keyword })
            node = parser.ParseWhere(node);
        var next = parser.Peek;
        if (next.Kind != TokenKind.End)
            throw parser.Unexpected(next, "an operator or the end of the expression");
        return node;
    }

    private Token Peek => _tokens[_pos];

    private Token Advance() => _tokens[_pos++];

    private SyntaxNode ParseLevel(int level)
    {
        if (level == Levels.Length) return ParseUnary();
        var ops = Levels[level];
        var first = ParseLevel(level + 1);
        if (Array.IndexOf(ops, Peek.Kind) < 0) return first;
        var operands = new List<SyntaxNode> { first };
        var kinds = new List<TokenKind>();
        var spans = new List<TextSpan>();
        // '/', './' and '.*' build left-nested trees (only '+', '-' and '*' stay flat), so they count toward the depth.
        int nested = 0;
        int height = H(first);
        while (Array.IndexOf(ops, Peek.Kind) >= 0)
        {
            var op = Advance();
            bool wraps = op.Kind is TokenKind.Slash or TokenKind.DotSlash or TokenKind.DotStar;
            if (wraps) { Enter(op.Span); nested++; }
            kinds.Add(op.Kind);
            spans.Add(op.Span);
            var operand = ParseLevel(level + 1);
            operands.Add(operand);
            height = Math.Max(height, H(operand)) + (wraps ? 1 : 0);
            if (height + 2 > MaxHeight) Made(first, height + 2, op.Span);
        }
        _depth -= nested;
        var span = TextSpan.Cover(first.Span, operands[^1].Span);
        return level == 0
            ? Made(new SumSyntax(operands, kinds, spans, span), height + 2, spans[0])
            : Made(new ProductSyntax(operands, kinds, spans, span), height + 2, spans[0]);
    }

    private SyntaxNode ParseUnary()
    {
        if (Peek.Kind is TokenKind.Minus or TokenKind.Plus)
        {
            var op = Advance();
            Enter(op.Span);
            var operand = ParseUnary();
            _depth--;
            return Made(new UnarySyntax(op.Kind, operand, TextSpan.Cover(op.Span, operand.Span)), H(operand) + 1, op.Span);
        }
        return ParsePower();
    }

    private SyntaxNode ParsePower()
    {
        var baseNode = ParsePostfix();
        if (Peek.Kind is TokenKind.Caret or TokenKind.DotCaret)
        {
            var op = Advance();
            Enter(op.Span);
            var exponent = ParseUnary();
            _depth--;
            return Made(new PowerSyntax(op.Kind, baseNode, exponent, op.Span, TextSpan.Cover(baseNode.Span, exponent.Span)),
                Math.Max(H(baseNode), H(exponent)) + 1, op.Span);
        }
        return baseNode;
    }

    private SyntaxNode ParsePostfix()
    {
        var node = ParsePrimary();
        int transposes = 0;
        while (Peek.Kind is TokenKind.Quote or TokenKind.DotT)
        {
            var t = Advance();
            Enter(t.Span); // each transpose nests the tree one level deeper
            transposes++;
            node = Made(new TransposeSyntax(node, TextSpan.Cover(node.Span, t.Span)), H(node) + 1, t.Span);
        }
        _depth -= transposes;
        return node;
    }

    private SyntaxNode ParsePrimary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Advance();
                if (Peek.Kind == TokenKind.LParen)
                    throw new NablaException(ErrorCodes.ParseError,
                        $"implicit multiplication is not allowed: write '{t.Text}*(' instead of '{t.Text}('",
                        TextSpan.Cover(t.Span, Peek.Span));
                return new NumberSyntax(t.Value, t.Text, t.Span);
            case TokenKind.Name:
                Advance();
                if (Peek.Kind == TokenKind.LParen) return ParseCall(t);
                if (Peek.Kind is TokenKind.Name or TokenKind.Number && !IsWhere(Peek))
                    throw new NablaException(ErrorCodes.ParseError,
                        $"implicit multiplication is not allowed: write '{t.Text}*{Peek.Text}' instead of '{t.Text} {Peek.Text}'",
                        TextSpan.Cover(t.Span, Peek.Span));
                return new NameSyntax(t.Text, t.Span);
            case TokenKind.LParen:
            {
                Advance();
                Enter(t.Span);
                var inner = ParseLevel(0);
                var close = Expect(TokenKind.RParen, "')' to close the '(' at " + t.Span.Start, t);
                _depth--;
                if (Peek.Kind is TokenKind.LParen or TokenKind.Name or TokenKind.Number && !IsWhere(Peek))
                    throw new NablaException(ErrorCodes.ParseError,
                        $"implicit multiplication is not allowed: write ')*{Peek.Text}' instead of '){Peek.Text}'",
                        TextSpan.Cover(close.Span, Peek.Span));
                return Made(new ParenSyntax(inner, TextSpan.Cover(t.Span, close.Span)), H(inner) + 1, t.Span);
            }
            case TokenKind.Less:
            {
                Advance();
                Enter(t.Span);
                var left = ParseLevel(0);
                Expect(TokenKind.Comma, "',' between the two operands of the inner product <a, b>", t);
                var right = ParseLevel(0);
                if (Peek.Kind == TokenKind.Comma)
                    throw new NablaException(ErrorCodes.ParseError,
                        "the inner product <a, b> takes exactly two operands; for more, nest it or use sums and products", Peek.Span);
                var close = Expect(TokenKind.Greater, "'>' to close the inner product opened at " + t.Span.Start, t);
                _depth--;
                return Made(new InnerSyntax(left, right, TextSpan.Cover(t.Span, close.Span)), Math.Max(H(left), H(right)) + 3, t.Span);
            }
            case TokenKind.Comma or TokenKind.RParen or TokenKind.Greater:
                throw new NablaException(ErrorCodes.ParseError,
                    $"expected a number, a name, '(' or '<', found {t.Kind.Describe()}: an operand is missing before it", t.Span);
            default:
                throw Unexpected(t, "a number, a name, '(' or '<'");
        }
    }

    /// <summary>'where' after a complete operand starts the bindings (at the top level; inside brackets a parse error follows).</summary>
    private static bool IsWhere(Token t) => t is { Kind: TokenKind.Name, Text: WhereBindings.Keyword };

    /// <summary>expr 'where' name '=' expr (',' name '=' expr)*, then the names inlined (<see cref="WhereBindings"/>).</summary>
    private SyntaxNode ParseWhere(SyntaxNode body)
    {
        var keyword = Advance();
        var bindings = new List<(NameSyntax Name, SyntaxNode Value)>();
        while (true)
        {
            var name = Peek;
            if (name.Kind != TokenKind.Name)
                throw Unexpected(name, "a name to bind after 'where' (e where t0 = a+b)");
            Advance();
            if (Peek.Kind != TokenKind.Assign)
                throw Unexpected(Peek, $"'=' after the name {name.Text} (e where {name.Text} = ...)");
            Advance();
            if (Peek.Kind is TokenKind.End or TokenKind.Comma)
                throw new NablaException(ErrorCodes.ParseError, $"the binding of {name.Text} has no value", TextSpan.Cover(name.Span, Peek.Span));
            var value = ParseLevel(0);
            bindings.Add((new NameSyntax(name.Text, name.Span), value));
            if (Peek.Kind != TokenKind.Comma) break;
            Advance();
        }
        return WhereBindings.Inline(body, bindings, keyword.Span, H, MaxHeight);
    }

    private SyntaxNode ParseCall(Token name)
    {
        var open = Advance();
        Enter(open.Span);
        var args = new List<SyntaxNode>();
        if (Peek.Kind == TokenKind.RParen)
            throw new NablaException(ErrorCodes.ParseError, $"{name.Text}() needs an argument", TextSpan.Cover(name.Span, Peek.Span));
        args.Add(ParseLevel(0));
        while (Peek.Kind == TokenKind.Comma)
        {
            Advance();
            args.Add(ParseLevel(0));
        }
        var close = Expect(TokenKind.RParen, $"')' to close the call of {name.Text}", open);
        _depth--;
        return Made(new CallSyntax(name.Text, name.Span, args, TextSpan.Cover(name.Span, close.Span)), args.Max(H) + 1, open.Span);
    }

    private Token Expect(TokenKind kind, string what, Token opener)
    {
        var t = Peek;
        if (t.Kind == kind) return Advance();
        if (t.Kind == TokenKind.End)
            throw new NablaException(ErrorCodes.ParseError, $"expected {what}, but the expression ended",
                new TextSpan(opener.Span.Start, _text.Length));
        throw Unexpected(t, what);
    }

    private void Enter(TextSpan at)
    {
        if (++_depth > MaxDepth) throw TooDeep(at);
    }

    private static NablaException TooDeep(TextSpan at) =>
        new(ErrorCodes.LimitExceeded, $"the expression is nested more than {MaxDepth} levels deep", at);

    private NablaException Unexpected(Token t, string expected)
    {
        if (t.Kind == TokenKind.End)
            return new NablaException(ErrorCodes.ParseError, $"expected {expected}, but the expression ended", t.Span);
        string hint = t.Kind switch
        {
            TokenKind.RParen => " (a ')' without a matching '(')",
            TokenKind.Greater => " (a '>' without a matching '<'; there is no comparison operator)",
            TokenKind.Comma => " (a ',' outside a function call or inner product)",
            _ => "",
        };
        if (t.Kind == TokenKind.Assign)
            return new NablaException(ErrorCodes.ParseError,
                "unexpected character '='; Nabla takes an expression, not an equation", t.Span);
        return new NablaException(ErrorCodes.ParseError, $"expected {expected}, found {t.Kind.Describe()}{hint}", t.Span);
    }
}
