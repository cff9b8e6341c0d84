using Nabla.Diagnostics;

namespace Nabla.Syntax;

/// <summary>
/// <c>e where t0 = a, T1 = b</c> (docs/language.md, section 3, v1.2): names bound to subexpressions, as a factored
/// result prints them. A binding may use the other bindings in any order (not itself, directly or through others);
/// every use of a bound name is replaced by its value, in parentheses, so the expression binds, evaluates and
/// differentiates exactly as the text written out. A bound name is never a variable, and it shadows no size:
/// the sizes in <c>eye(n)</c>, <c>vector(c, n)</c> and <c>matrix(c, m, n)</c> are not replaced.
/// </summary>
public static class WhereBindings
{
    /// <summary>"where", the keyword that starts the bindings.</summary>
    public const string Keyword = "where";

    /// <summary>The most operations the bindings may expand to when written out (they may nest, t1 = t0*t0).</summary>
    public const int MaxExpandedNodes = 200_000;

    internal static SyntaxNode Inline(SyntaxNode body, List<(NameSyntax Name, SyntaxNode Value)> bindings, TextSpan keyword,
        Func<SyntaxNode, int> height, int maxHeight)
    {
        var values = new Dictionary<string, (NameSyntax Name, SyntaxNode Value)>(StringComparer.Ordinal);
        foreach (var b in bindings)
        {
            if (b.Name.Name == Keyword)
                throw new NablaException(ErrorCodes.ParseError, "'where' cannot be bound: it starts the bindings", b.Name.Span);
            if (!values.TryAdd(b.Name.Name, b))
                throw new NablaException(ErrorCodes.ParseError,
                    $"{b.Name.Name} is bound twice (first at {values[b.Name.Name].Name.Span.Start})", b.Name.Span);
        }
        var inliner = new Inliner(values, maxHeight);
        var result = inliner.Rewrite(body);
        foreach (var b in bindings)
            if (!inliner.Used.Contains(b.Name.Name))
                throw new NablaException(ErrorCodes.ParseError,
                    $"{b.Name.Name} is bound but not used; drop the binding or use the name", b.Name.Span);
        if (inliner.Count > MaxExpandedNodes)
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"the bindings expand to more than {MaxExpandedNodes:N0} operations when written out", keyword);
        return result;
    }

    private sealed class Inliner(Dictionary<string, (NameSyntax Name, SyntaxNode Value)> values, int maxHeight)
    {
        private readonly Dictionary<string, SyntaxNode> _done = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Size, int Height)> _measure = new(StringComparer.Ordinal);
        private readonly List<string> _open = [];
        public readonly HashSet<string> Used = new(StringComparer.Ordinal);
        public long Count;

        public SyntaxNode Rewrite(SyntaxNode body)
        {
            var (size, h) = Measure(body);
            Count = size;
            if (size > MaxExpandedNodes) return body; // the caller reports it
            if (h > maxHeight)
                throw new NablaException(ErrorCodes.LimitExceeded, $"the expression, with its bindings written out, is nested more than {maxHeight} operations deep", body.Span);
            return Map(body);
        }

        /// <summary>Size and height written out, each binding measured once (so t1 = t0*t0 chains cost nothing to measure).</summary>
        private (long Size, int Height) Measure(SyntaxNode n)
        {
            Budget.Check();
            switch (n)
            {
                case NameSyntax name when values.TryGetValue(name.Name, out var b):
                {
                    Used.Add(name.Name);
                    if (_measure.TryGetValue(name.Name, out var m)) return (m.Size, m.Height + 1);
                    if (_open.Contains(name.Name))
                    {
                        var circle = _open.SkipWhile(o => o != name.Name).Append(name.Name).ToList();
                        throw new NablaException(ErrorCodes.ParseError,
                            circle.Count == 2 ? $"the binding of {name.Name} uses {name.Name} itself"
                                : $"the bindings refer to each other in a circle: {string.Join(" → ", circle)}",
                            name.Span);
                    }
                    _open.Add(name.Name);
                    var inner = Measure(b.Value);
                    _open.RemoveAt(_open.Count - 1);
                    inner = (Math.Min(inner.Size, (long)MaxExpandedNodes * 4), inner.Height);
                    _measure[name.Name] = inner;
                    return (inner.Size, inner.Height + 1);
                }
                case CallSyntax c:
                {
                    long s = 1; int h = 0;
                    for (int i = 0; i < c.Args.Count; i++)
                    {
                        if (SyntaxTree.IsSizeArgument(c, i)) { s++; h = Math.Max(h, 1); continue; }
                        var (cs, ch) = Measure(c.Args[i]);
                        s += cs; h = Math.Max(h, ch);
                    }
                    return (Math.Min(s, (long)MaxExpandedNodes * 4), h + 1);
                }
                default:
                {
                    long s = 1; int h = 0;
                    foreach (var k in SyntaxTree.Children(n))
                    {
                        var (cs, ch) = Measure(k);
                        s += cs; h = Math.Max(h, ch);
                    }
                    int extra = n is SumSyntax or ProductSyntax ? 2 : 1;
                    return (Math.Min(s, (long)MaxExpandedNodes * 4), h + extra);
                }
            }
        }

        private SyntaxNode Map(SyntaxNode n)
        {
            Budget.Check();
            switch (n)
            {
                case NameSyntax name when values.TryGetValue(name.Name, out var b):
                    if (!_done.TryGetValue(name.Name, out var v)) _done[name.Name] = v = Map(b.Value);
                    return new ParenSyntax(v, name.Span);
                case NameSyntax or NumberSyntax: return n;
                case UnarySyntax u: return u with { Operand = Map(u.Operand) };
                case SumSyntax s: return s with { Terms = s.Terms.Select(Map).ToList() };
                case ProductSyntax p: return p with { Factors = p.Factors.Select(Map).ToList() };
                case PowerSyntax p: return p with { Base = Map(p.Base), Exponent = Map(p.Exponent) };
                case TransposeSyntax t: return t with { Operand = Map(t.Operand) };
                case CallSyntax c: return c with { Args = c.Args.Select((a, i) => SyntaxTree.IsSizeArgument(c, i) ? a : Map(a)).ToList() };
                case InnerSyntax i: return i with { Left = Map(i.Left), Right = Map(i.Right) };
                case ParenSyntax p: return p with { Inner = Map(p.Inner) };
                default: throw new InvalidOperationException(n.GetType().Name);
            }
        }
    }
}
