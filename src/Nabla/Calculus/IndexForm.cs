using System.Text;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Printing;

namespace Nabla.Calculus;

/// <summary>A factor of an index term: an expression with one index per axis, or a Kronecker delta (Value null).</summary>
public sealed record IndexFactor(Expr? Value, IReadOnlyList<string> Indices)
{
    /// <summary>Whether this is a Kronecker delta rather than an expression.</summary>
    public bool IsDelta => Value is null;

    /// <summary>The Kronecker delta δ_ab.</summary>
    public static IndexFactor Delta(string a, string b) => new(null, [a, b]);
}

/// <summary>How a term reads in vec form: vec(dF) = Scale * kron(Q', P) * vec(dX) (times K when dX is transposed), or an outer product.</summary>
public sealed record KronHint(Expr? P, Expr? Q, bool Transposed, Expr? OuterLeft = null, Expr? OuterRight = null);

/// <summary>Scale times the product of the factors; indices not among the free ones are summed.</summary>
public sealed record IndexTerm(Expr Scale, IReadOnlyList<IndexFactor> Factors, KronHint? Kron = null);

/// <summary>
/// A derivative in index (Einstein) notation over named indices: entry [free...] is the sum of the terms,
/// summing every index that is not free. Used where the derivative has no matrix form.
/// </summary>
public sealed class IndexForm(IReadOnlyList<string> free, IReadOnlyList<Dim> dims, IReadOnlyList<IndexTerm> terms)
{
    /// <summary>The free indices: the objective's axes, then the variable's.</summary>
    public IReadOnlyList<string> Free { get; } = free;
    /// <summary>The size of each free index, in the order of <see cref="Free"/>.</summary>
    public IReadOnlyList<Dim> Dims { get; } = dims;
    /// <summary>The terms summed.</summary>
    public IReadOnlyList<IndexTerm> Terms { get; } = terms;

    /// <summary>The sum of the terms as plain text, such as <c>A[i,k]*d[j,l]</c> (d the Kronecker delta); 0 for none.</summary>
    public string ToText()
    {
        if (Terms.Count == 0) return "0";
        var sb = new StringBuilder();
        for (int t = 0; t < Terms.Count; t++)
        {
            var (sign, body) = TermText(Terms[t]);
            if (t == 0) sb.Append(sign ? "-" : "").Append(body);
            else sb.Append(sign ? " - " : " + ").Append(body);
        }
        return sb.ToString();
    }

    private static (bool Negative, string Body) TermText(IndexTerm term)
    {
        var parts = new List<string>();
        bool negative = false;
        var scale = term.Scale;
        if (scale is Num n) { negative = n.Value < 0; if (Math.Abs(n.Value) != 1) parts.Add(TextPrinter.FormatNumber(Math.Abs(n.Value))); }
        else if (scale is Mul { Factors: [Num c, ..] } m)
        {
            negative = c.Value < 0;
            var rest = m.Factors.Skip(1).ToList();
            if (Math.Abs(c.Value) != 1) parts.Add(TextPrinter.FormatNumber(Math.Abs(c.Value)));
            parts.Add(Group(TextPrinter.PrintResult(rest.Count == 1 ? rest[0] : new Mul(rest))));
        }
        else parts.Add(Group(TextPrinter.PrintResult(scale)));
        foreach (var f in term.Factors)
            parts.Add(f.IsDelta ? $"d[{string.Join(",", f.Indices)}]" : $"{Operand(f.Value!)}[{string.Join(",", f.Indices)}]");
        if (parts.Count == 0) parts.Add("1");
        return (negative, string.Join("*", parts));
    }

    private static string Group(string s) => s.Contains('+') || s.Contains('-') ? $"({s})" : s;

    private static string Operand(Expr e)
    {
        string s = TextPrinter.PrintResult(e);
        return e is Var || (e is Call && !s.EndsWith('\'')) ? s : $"({s})";
    }

    /// <summary>The sum of the terms in LaTeX; 0 for none.</summary>
    public string ToLatex()
    {
        if (Terms.Count == 0) return "0";
        var sb = new StringBuilder();
        for (int t = 0; t < Terms.Count; t++)
        {
            var term = Terms[t];
            var scale = term.Scale;
            bool negative = scale is Num { Value: < 0 } || scale is Mul { Factors: [Num { Value: < 0 }, ..] };
            if (negative) scale = Simplify.Rules.MakeMul([Num.MinusOne, scale]);
            sb.Append(t == 0 ? (negative ? "-" : "") : negative ? " - " : " + ");
            if (scale is not Num { Value: 1 }) sb.Append(LatexPrinter.Print(scale)).Append(' ');
            foreach (var f in term.Factors)
            {
                string idx = string.Concat(f.Indices);
                if (f.IsDelta) sb.Append($"\\delta_{{{idx}}}");
                else if (f.Value is Var v) sb.Append($"{LatexPrinter.Name(v.Name)}_{{{idx}}}");
                else sb.Append($"\\left({LatexPrinter.Print(f.Value!)}\\right)_{{{idx}}}");
            }
        }
        return sb.ToString();
    }

    /// <summary>The vec form (vec stacks columns), or null where a term has none.</summary>
    public string? Kron()
    {
        if (Terms.Count == 0 || Terms.Any(t => t.Kron is null)) return null;
        var parts = new List<string>();
        foreach (var t in Terms)
        {
            var k = t.Kron!;
            string scale = t.Scale is Num { Value: 1 } ? "" : t.Scale is Num { Value: -1 } ? "-" : Group(TextPrinter.PrintResult(t.Scale)) + "*";
            if (k.OuterLeft is not null)
            {
                parts.Add($"{scale}vec({TextPrinter.PrintResult(k.OuterLeft)})*vec({TextPrinter.PrintResult(k.OuterRight!)})'");
                continue;
            }
            string q = k.Q is null ? "I" : TextPrinter.PrintResult(Simplify.Rules.MakeT(k.Q));
            string p = k.P is null ? "I" : TextPrinter.PrintResult(k.P);
            parts.Add($"{scale}kron({q}, {p}){(k.Transposed ? "*K" : "")}");
        }
        return string.Join(" + ", parts).Replace("+ -", "- ");
    }
}
