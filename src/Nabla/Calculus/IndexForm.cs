using System.Text;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;

namespace Nabla.Calculus;

/// <summary>A factor of an index term: an expression with one index per axis, or a Kronecker delta (Value null).</summary>
public sealed record IndexFactor(Expr? Value, IReadOnlyList<string> Indices)
{
    public bool IsDelta => Value is null;

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
    public IReadOnlyList<Dim> Dims { get; } = dims;
    public IReadOnlyList<IndexTerm> Terms { get; } = terms;

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

    /// <summary>The entries, row-major over the free indices, evaluated from the terms' closed forms.</summary>
    public double[] Evaluate(Evaluator evaluator, Func<Dim, int> size)
    {
        var freeSizes = Dims.Select(size).ToArray();
        long total = freeSizes.Aggregate(1L, (a, b) => a * b);
        var result = new double[total];
        foreach (var term in Terms)
        {
            double scale = evaluator.Evaluate(term.Scale).ScalarValue;
            var values = term.Factors.Select(f => f.IsDelta ? null : evaluator.Evaluate(f.Value!)).ToList();
            var all = new List<string>(Free);
            var sizes = new Dictionary<string, int>();
            for (int i = 0; i < Free.Count; i++) sizes[Free[i]] = freeSizes[i];
            for (int fi = 0; fi < term.Factors.Count; fi++)
            {
                var f = term.Factors[fi];
                for (int a = 0; a < f.Indices.Count; a++)
                {
                    string ix = f.Indices[a];
                    if (sizes.ContainsKey(ix) || values[fi] is null) continue;
                    var t = values[fi]!;
                    sizes[ix] = f.Indices.Count == 2 ? (a == 0 ? t.Rows : t.Cols) : t.Length;
                    all.Add(ix);
                }
            }
            foreach (var f in term.Factors.Where(f => f.IsDelta))
                foreach (var ix in f.Indices)
                    if (!sizes.ContainsKey(ix)) throw new InvalidOperationException($"index {ix} has no size");
            long loops = all.Aggregate(1L, (a, ix) => a * sizes[ix]);
            if (loops > 200_000_000)
                throw new NablaException(ErrorCodes.LimitExceeded, "the derivative tensor is too large to evaluate entry by entry here");
            var pos = all.ToDictionary(ix => ix, ix => all.IndexOf(ix));
            var counter = new int[all.Count];
            for (long it = 0; it < loops; it++)
            {
                if ((it & 0xFFFF) == 0) Budget.Check();
                double prod = scale;
                for (int fi = 0; fi < term.Factors.Count && prod != 0; fi++)
                {
                    var f = term.Factors[fi];
                    if (f.IsDelta) { if (counter[pos[f.Indices[0]]] != counter[pos[f.Indices[1]]]) prod = 0; continue; }
                    var t = values[fi]!;
                    prod *= f.Indices.Count switch
                    {
                        0 => t.Data[0],
                        1 => t.Data[counter[pos[f.Indices[0]]]],
                        _ => t[counter[pos[f.Indices[0]]], counter[pos[f.Indices[1]]]],
                    };
                }
                if (prod != 0)
                {
                    long flat = 0;
                    for (int i = 0; i < Free.Count; i++) flat = flat * freeSizes[i] + counter[i];
                    result[flat] += prod;
                }
                for (int d = all.Count - 1; d >= 0; d--)
                {
                    if (++counter[d] < sizes[all[d]]) break;
                    counter[d] = 0;
                }
            }
        }
        return result;
    }
}
