using System.Text;
using Nabla.Expressions;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla.Printing;

/// <summary>LaTeX of an expression: <c>\left(A+A^{T}\right)x</c>, <c>\operatorname{tr}</c>, <c>\det</c>, <c>A^{-1}</c>, <c>\odot</c>.</summary>
public sealed class LatexPrinter
{
    private const int Sum = 1, Product = 2, Unary = 3, Pow = 4, Primary = 6;
    private readonly StringBuilder _sb = new();

    /// <summary>The expression in LaTeX, with the fewest brackets its precedence needs.</summary>
    public static string Print(Expr e)
    {
        var p = new LatexPrinter();
        p.Write(e, 0);
        return p._sb.ToString();
    }

    private static bool IsNegative(Expr e) => e is Num { Value: < 0 } || e is Mul { Factors: [Num { Value: < 0 }, ..] };

    private static int Level(Expr e) => e switch
    {
        Add => Sum,
        _ when IsNegative(e) => Unary,
        Mul or Elementwise => Product,
        Div => Primary, // \frac groups itself
        Power { Exponent: Num { Value: < 0 } } p when p.Base.Shape.IsScalar => Primary,
        Neg => Unary,
        Power or MatPow or Transpose => Pow,
        Call { Op.LatexSuperscript: not null } => Pow,
        _ => Primary,
    };

    /// <summary>A variable's name in LaTeX: Greek letters as commands, differentials with \mathrm{d}, digits and '_' as subscripts, longer names in \mathit.</summary>
    public static string Name(string name)
    {
        if (VarType.GreekNames.Contains(name)) return "\\" + name;
        if (name.Length == 1) return name;
        // A differential: dx, dA, dlambda → \mathrm{d}x, \mathrm{d}A, \mathrm{d}\lambda.
        if (name[0] == 'd' && (name.Length == 2 || VarType.GreekNames.Contains(name[1..])) && char.IsAsciiLetter(name[1]))
            return "\\mathrm{d}" + Name(name[1..]);
        int us = name.IndexOf('_');
        if (us > 0 && us < name.Length - 1) return $"{Name(name[..us])}_{{{name[(us + 1)..]}}}";
        int d = name.Length;
        while (d > 0 && char.IsAsciiDigit(name[d - 1])) d--;
        if (d < name.Length && d > 0) return $"{Name(name[..d])}_{{{name[d..]}}}";
        return $"\\mathit{{{name}}}";
    }

    private void Write(Expr e, int min)
    {
        Diagnostics.Budget.Check();
        if (Level(e) < min)
        {
            _sb.Append("\\left(");
            Write(e, 0);
            _sb.Append("\\right)");
            return;
        }
        switch (e)
        {
            case Num n: _sb.Append(TextPrinter.FormatNumber(n.Value)); break;
            case Var v: _sb.Append(Name(v.Name)); break;
            case Eye: _sb.Append('I'); break;
            case Fill f:
                if (f.Value is not Num { Value: 1 }) { Write(f.Value, Pow); _sb.Append("\\,"); }
                _sb.Append(f.Shape.Kind == ShapeKind.Matrix ? "\\mathbf{1}\\mathbf{1}^{T}" : "\\mathbf{1}");
                break;
            case Neg g:
                _sb.Append('-');
                Write(g.X, Unary);
                break;
            case Add a:
                for (int i = 0; i < a.Terms.Count; i++)
                {
                    var t = a.Terms[i];
                    if (t is Fill { Value: var fv } && !a.Shape.IsScalar) t = fv;
                    if (i > 0)
                    {
                        if (t is Neg ng) { _sb.Append('-'); Write(ng.X, Product); continue; }
                        if (IsNegative(t)) { _sb.Append('-'); Write(Negate(t), Product); continue; }
                        _sb.Append('+');
                    }
                    Write(t, Product);
                }
                break;
            case Mul m: WriteProduct(m); break;
            case Div d:
                _sb.Append("\\frac{");
                Write(d.X, 0);
                _sb.Append("}{");
                Write(d.Divisor, 0);
                _sb.Append('}');
                break;
            case Elementwise w:
                Write(w.Left, Product);
                _sb.Append(w.Op == ElementwiseOp.Mul ? " \\odot " : " \\oslash ");
                Write(w.Right, Pow);
                break;
            case Power { Exponent: Num { Value: < 0 } k } p when p.Base.Shape.IsScalar:
                _sb.Append("\\frac{1}{");
                WritePow(p.Base, -k.Value, true);
                _sb.Append('}');
                break;
            case Power p:
                WritePow(p.Base, p.Exponent, p.Base.Shape.IsScalar);
                break;
            case MatPow mp:
                Group(mp.A);
                _sb.Append("^{").Append(mp.K).Append('}');
                break;
            case Transpose { X: Call { Op.LatexTransposedSuperscript: { } tsup } ic }:
                Group(ic.Arg);
                _sb.Append("^{").Append(tsup).Append('}');
                break;
            case Transpose t:
                Group(t.X);
                _sb.Append("^{T}");
                break;
            case Call { Op.LatexSuperscript: { } sup } c:
                Group(c.Arg);
                _sb.Append("^{").Append(sup).Append('}');
                break;
            case Call c:
            {
                var parts = c.Args.Select(a =>
                {
                    var inner = new LatexPrinter();
                    inner.Write(a, 0);
                    return inner._sb.ToString();
                }).ToList();
                _sb.Append(c.Op.Latex(parts));
                break;
            }
            default: throw new InvalidOperationException(e.GetType().Name);
        }
    }

    private static Expr Negate(Expr e) => e switch
    {
        Num n => new Num(-n.Value),
        Mul m when m.Factors[0] is Num { Value: -1 } && m.Factors.Count == 2 => m.Factors[1],
        Mul m when m.Factors[0] is Num { Value: -1 } => new Mul(m.Factors.Skip(1).ToList()),
        Mul m => new Mul([new Num(-((Num)m.Factors[0]).Value), .. m.Factors.Skip(1)]),
        _ => e,
    };

    private void WritePow(Expr b, object exp, bool scalar)
    {
        Group(b);
        _sb.Append(scalar ? "^{" : "^{\\circ ");
        if (exp is Expr x) Write(x, 0); else _sb.Append(TextPrinter.FormatNumber((double)exp));
        _sb.Append('}');
    }

    /// <summary>A base or transposed operand: a single symbol as is, anything else in brackets.</summary>
    private void Group(Expr e)
    {
        if (e is Var or Eye || e is Num { Value: >= 0 }) Write(e, 0);
        else if (e is Call { Op.LatexSuperscript: null }) Write(e, 0);
        else
        {
            _sb.Append("\\left(");
            Write(e, 0);
            _sb.Append("\\right)");
        }
    }

    private void WriteProduct(Mul m)
    {
        var factors = m.Factors.ToList();
        if (factors[0] is Num { Value: < 0 } c)
        {
            _sb.Append('-');
            if (c.Value == -1) factors.RemoveAt(0); else factors[0] = new Num(-c.Value);
        }
        var num = factors.Where(f => !(f is Power { Exponent: Num { Value: < 0 } } p && p.Base.Shape.IsScalar)).ToList();
        var den = factors.Except(num).Cast<Power>().ToList();
        if (den.Count > 0)
        {
            _sb.Append("\\frac{");
            WriteFactors(num.Where(f => f.Shape.IsScalar).ToList());
            if (!num.Any(f => f.Shape.IsScalar)) _sb.Append('1');
            _sb.Append("}{");
            WriteFactors(den.Select(p => Rules(p)).ToList());
            _sb.Append('}');
            var rest = num.Where(f => !f.Shape.IsScalar).ToList();
            if (rest.Count > 0) { _sb.Append(' '); WriteFactors(rest); }
            return;
        }
        WriteFactors(factors);

        static Expr Rules(Power p) => ((Num)p.Exponent).Value == -1 ? p.Base : new Power(p.Base, new Num(-((Num)p.Exponent).Value));
    }

    private void WriteFactors(List<Expr> factors)
    {
        for (int i = 0; i < factors.Count; i++)
        {
            var f = factors[i];
            int before = _sb.Length;
            if (i > 0 && factors[i - 1] is Num && f is Num) _sb.Append(" \\cdot ");
            if (f is Mul inner && !IsNegative(inner) && inner.Factors[0] is not Neg) WriteFactors(inner.Factors.ToList()); // juxtaposition is associative
            else Write(f, i == 0 && f is Neg ? Unary : Pow);
            if (i > 0 && before > 0 && before < _sb.Length && char.IsLetter(_sb[before - 1]) && char.IsLetter(_sb[before]))
                _sb.Insert(before, ' ');
        }
    }
}
