using System.Globalization;
using System.Text;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Printing;

/// <summary>
/// Prints an <see cref="Expr"/> in the language. <see cref="Print"/> keeps the structure exactly
/// (parse(print(e)) binds to the same tree); <see cref="PrintResult(Expr)"/> prints a simplified result the
/// way a textbook does, dropping parentheses that associativity makes redundant (the value is the same).
/// </summary>
public sealed class TextPrinter
{
    // Precedence levels, lowest first (spec section 3).
    private const int Sum = 1, Product = 2, Unary = 3, Pow = 4, Postfix = 5, Primary = 6;

    private readonly bool _textbook;
    private readonly bool _sizes;
    private readonly StringBuilder _sb = new();

    private TextPrinter(bool textbook, bool sizes = false)
    {
        _textbook = textbook;
        _sizes = sizes;
    }

    /// <summary>
    /// Textbook print with the sizes of constants written out (eye(n), vector(c, n), matrix(c, m, n)), for a
    /// result whose constants nothing else in the text would size (tr(eye), sum(vector(1))).
    /// </summary>
    public static string PrintResult(Expr e, bool sizes)
    {
        var p = new TextPrinter(true, sizes);
        p.Write(e, 0);
        return p._sb.ToString();
    }

    /// <summary>Structure-preserving print.</summary>
    public static string Print(Expr e)
    {
        var p = new TextPrinter(false);
        p.Write(e, 0);
        return p._sb.ToString();
    }

    /// <summary>Textbook print of a (simplified) result.</summary>
    public static string PrintResult(Expr e)
    {
        var p = new TextPrinter(true);
        p.Write(e, 0);
        return p._sb.ToString();
    }

    private static bool IsNegative(Expr e) => e switch
    {
        Num n => n.Value < 0,
        Mul m => m.Factors[0] is Num { Value: < 0 },
        _ => false,
    };

    private static int Level(Expr e) => e switch
    {
        Add => Sum,
        _ when IsNegative(e) => Unary,
        Mul or Div or Elementwise => Product,
        Power { Exponent: Num { Value: < 0 } } => Product,
        Neg => Unary,
        Power or MatPow => Pow,
        Transpose => Postfix,
        Fill { Shape.Kind: ShapeKind.Row } => Postfix,
        _ => Primary,
    };

    private void Write(Expr e, int min)
    {
        Diagnostics.Budget.Check();
        if (Level(e) < min)
        {
            _sb.Append('(');
            Write(e, 0);
            _sb.Append(')');
            return;
        }
        switch (e)
        {
            case Num n: _sb.Append(FormatNumber(n.Value)); break;
            case Var v: _sb.Append(v.Name); break;
            case Eye eye:
                _sb.Append("eye");
                if (_sizes) _sb.Append('(').Append(eye.N.Name).Append(')');
                break;
            case Fill f:
                // A row fill is a transposed vector: matrix(c) would re-bind as a matrix of a free size.
                _sb.Append(f.Shape.Kind is ShapeKind.Vector or ShapeKind.Row ? "vector(" : "matrix(");
                Write(f.Value, 0);
                if (_sizes)
                {
                    if (f.Shape.Rows is { } r) _sb.Append(", ").Append(r.Name);
                    if (f.Shape.Cols is { } c) _sb.Append(", ").Append(c.Name);
                }
                _sb.Append(f.Shape.Kind == ShapeKind.Row ? ")'" : ")");
                break;
            case Neg g:
                _sb.Append('-');
                Write(g.X, g.X is Neg || IsNegative(g.X) ? Primary : Unary);
                break;
            case Add a: WriteSum(a); break;
            case Mul m: WriteProduct(m); break;
            case Div d: WriteBinary(d.X, "/", d.Divisor); break;
            case Elementwise w: WriteElementwise(w); break;
            case Power { Exponent: Num { Value: < 0 } k } p:
                _sb.Append(p.Base.Shape.IsScalar ? "1/" : "1./");
                WriteDenominator(p.Base, -k.Value, p.Base.Shape.IsScalar);
                break;
            case Power p:
                Write(p.Base, Postfix);
                _sb.Append(p.Base.Shape.IsScalar ? "^" : ".^");
                // An exponent that is not a plain number or name is bracketed: a^(-(b*c)), never a^-b*c.
                Write(p.Exponent, p.Exponent is Num { Value: >= 0 } ? Unary : Postfix);
                break;
            case MatPow mp:
                Write(mp.A, Postfix);
                _sb.Append('^').Append(mp.K.ToString(CultureInfo.InvariantCulture));
                break;
            case Transpose t:
                Write(t.X, Postfix);
                _sb.Append('\'');
                break;
            case Call c:
                _sb.Append(c.Op.Name).Append('(');
                for (int i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0) _sb.Append(", ");
                    Write(c.Args[i], 0);
                }
                _sb.Append(')');
                break;
            default: throw new InvalidOperationException(e.GetType().Name);
        }
    }

    private void WriteSum(Add a)
    {
        for (int i = 0; i < a.Terms.Count; i++)
        {
            var t = a.Terms[i];
            if (t is Fill { Value: var v } && !a.Shape.IsScalar && IsBroadcastable(a, i)) t = v;
            if (i == 0)
            {
                Write(t, Product);
                continue;
            }
            switch (t)
            {
                case Neg g when g.X is not Neg && !IsNegative(g.X):
                    _sb.Append('-');
                    Write(g.X, Product);
                    break;
                case Mul m when IsNegative(m):
                    _sb.Append('-');
                    WriteProductBody(m, negate: true);
                    break;
                case Num { Value: < 0 } n:
                    _sb.Append('-').Append(FormatNumber(-n.Value));
                    break;
                default:
                    _sb.Append('+');
                    Write(t, Product);
                    break;
            }
        }
    }

    /// <summary>A broadcast scalar prints bare unless that would leave no non-scalar term to fix the shape.</summary>
    private static bool IsBroadcastable(Add a, int index)
    {
        for (int i = 0; i < a.Terms.Count; i++)
            if (i != index && a.Terms[i] is not Fill) return true;
        return false;
    }

    private void WriteProduct(Mul m)
    {
        if (IsNegative(m))
        {
            _sb.Append('-');
            WriteProductBody(m, negate: true);
            return;
        }
        WriteProductBody(m, negate: false);
    }

    /// <summary>
    /// Whether a leading scalar chain (x'*x in (x'*x)*y) may print without brackets in the re-parseable form:
    /// the parser groups x'*x*y as (x'*x)*y when the chain ends in its last matrix factor and a matrix follows.
    /// </summary>
    private static bool RegroupsAlone(Mul inner, List<Expr> num) =>
        !inner.Factors[^1].Shape.IsScalar && num.Skip(1).Any(g => !g.Shape.IsScalar)
        && !inner.Factors.Any(g => g is Power { Exponent: Num { Value: < 0 } });

    /// <summary>Numerator factors joined by '*', then '/' and the scalar factors with negative powers.</summary>
    private void WriteProductBody(Mul m, bool negate)
    {
        var num = new List<Expr>();
        var den = new List<(Expr Base, double Exp)>();
        for (int i = 0; i < m.Factors.Count; i++)
        {
            var f = m.Factors[i];
            if (i == 0 && negate && f is Num n)
            {
                if (n.Value != -1) num.Add(new Num(-n.Value));
                continue;
            }
            if (f is Power { Exponent: Num { Value: < 0 } k } p && p.Base.Shape.IsScalar) den.Add((p.Base, -k.Value));
            else num.Add(f);
        }
        if (num.Count == 0) _sb.Append('1');
        bool scalarsSoFar = true;
        for (int i = 0; i < num.Count; i++)
        {
            if (i > 0) _sb.Append('*');
            var f = num[i];
            if (f is Mul inner && inner.Shape.IsScalar && !IsNegative(inner) && inner.Factors[0] is not Neg
                && (_textbook ? scalarsSoFar : i == 0 && RegroupsAlone(inner, num)))
                WriteProductBody(inner, negate: false); // associativity: (w'*x)*y reads the same as w'*x*y, which groups the same
            else
            {
                // The first factor may itself be a '/', './' or '.*' (left-associative); nested products keep parentheses.
                int min = i == 0 && f is not Mul ? Product : Pow;
                if (i == 0 && f is Neg && !negate) min = Unary;
                if (negate && i == 0 && min < Pow && f is Neg or Num { Value: < 0 }) min = Pow;
                Write(f, min);
            }
            scalarsSoFar &= f.Shape.IsScalar;
        }
        if (den.Count == 0) return;
        _sb.Append('/');
        if (den.Count == 1) WriteDenominator(den[0].Base, den[0].Exp, true);
        else
        {
            _sb.Append('(');
            for (int i = 0; i < den.Count; i++)
            {
                if (i > 0) _sb.Append('*');
                WritePower(den[i].Base, den[i].Exp, true);
            }
            _sb.Append(')');
        }
    }

    private void WriteDenominator(Expr b, double exp, bool scalar)
    {
        if (exp == 1) Write(b, Pow);
        else WritePower(b, exp, scalar); // '^' and '.^' bind tighter than '/' and './'
    }

    private void WritePower(Expr b, double exp, bool scalar)
    {
        Write(b, exp == 1 ? Pow : Postfix);
        if (exp != 1) _sb.Append(scalar ? "^" : ".^").Append(FormatNumber(exp));
    }

    private void WriteElementwise(Elementwise w)
    {
        // A canonical x .* y.^-1 prints as x./y.
        if (w.Op == ElementwiseOp.Mul && w.Right is Power { Exponent: Num { Value: < 0 } k } p)
        {
            Write(w.Left, Product);
            _sb.Append("./");
            if (k.Value == -1) Write(p.Base, Pow);
            else WritePower(p.Base, -k.Value, false);
            return;
        }
        WriteBinary(w.Left, w.Op == ElementwiseOp.Mul ? ".*" : "./", w.Right);
    }

    private void WriteBinary(Expr left, string op, Expr right)
    {
        Write(left, Product);
        _sb.Append(op);
        Write(right, Pow);
    }

    /// <summary>A number as results print it: an integer without a point, anything else round-trippably.</summary>
    public static string FormatNumber(double v)
    {
        if (v == Math.Floor(v) && Math.Abs(v) < 1e15) return ((long)v).ToString(CultureInfo.InvariantCulture);
        return v.ToString("R", CultureInfo.InvariantCulture);
    }
}
