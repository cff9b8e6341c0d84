using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Nabla.Expressions;

/// <summary>
/// The canonical order of terms and factors, computed from the structure of the expressions alone: a key that
/// spells each node in a fixed, bracketed notation (names, numbers, operators in the language's symbols), compared
/// ordinally. No printer takes part, so a change in how results print never reorders them. The notation is close to
/// the language on purpose (names before their transposes, numbers before names), which keeps results in the order a
/// reader expects; it is also what <see cref="Expr.ToString"/> shows when debugging.
/// </summary>
public static class StructuralOrder
{
    private static readonly ConditionalWeakTable<Expr, string> Keys = [];

    /// <summary>The key of an expression (cached per node).</summary>
    public static string Key(Expr e)
    {
        if (Keys.TryGetValue(e, out var k)) return k;
        var sb = new StringBuilder();
        Write(sb, e);
        k = sb.ToString();
        Keys.AddOrUpdate(e, k);
        return k;
    }

    /// <summary>Ordinal comparison of the keys.</summary>
    public static int Compare(Expr a, Expr b) => ReferenceEquals(a, b) ? 0 : string.CompareOrdinal(Key(a), Key(b));

    private static bool Atomic(Expr e) => e is Var or Num { Value: >= 0 } or Eye or Fill or Call;

    private static void Child(StringBuilder sb, Expr e, bool bracket)
    {
        if (bracket) sb.Append('(');
        Write(sb, e);
        if (bracket) sb.Append(')');
    }

    private static void Write(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case Num n:
                sb.Append(n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) < 1e15
                    ? ((long)n.Value).ToString(CultureInfo.InvariantCulture)
                    : n.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case Var v: sb.Append(v.Name); break;
            case Eye: sb.Append("eye"); break;
            case Fill f:
                sb.Append(f.Shape.Kind is LinearAlgebra.ShapeKind.Matrix ? "matrix(" : "vector(");
                Write(sb, f.Value);
                sb.Append(f.Shape.Kind == LinearAlgebra.ShapeKind.Row ? ")'" : ")");
                break;
            case Neg g:
                sb.Append('-');
                Child(sb, g.X, !Atomic(g.X) && g.X is not (Mul or Transpose or Power or MatPow));
                break;
            case Add a:
                for (int i = 0; i < a.Terms.Count; i++)
                {
                    var t = a.Terms[i] is Fill { Value: var v } && !a.Shape.IsScalar ? v : a.Terms[i]; // a broadcast scalar, bare
                    if (i > 0 && t is not Neg) sb.Append('+');
                    Child(sb, t, t is Add);
                }
                break;
            case Mul m:
                for (int i = 0; i < m.Factors.Count; i++)
                {
                    if (i > 0) sb.Append('*');
                    var f = m.Factors[i];
                    Child(sb, f, f is Add or Mul || (i > 0 && f is Neg or Num { Value: < 0 }));
                }
                break;
            case Div d: Binary(sb, d.X, "/", d.Divisor); break;
            case Elementwise w: Binary(sb, w.Left, w.Op == ElementwiseOp.Mul ? ".*" : "./", w.Right); break;
            case Power p:
                Child(sb, p.Base, !Atomic(p.Base) && p.Base is not Transpose);
                sb.Append(p.Base.Shape.IsScalar ? "^" : ".^");
                Child(sb, p.Exponent, !Atomic(p.Exponent));
                break;
            case MatPow mp:
                Child(sb, mp.A, !Atomic(mp.A) && mp.A is not Transpose);
                sb.Append('^').Append(mp.K.ToString(CultureInfo.InvariantCulture));
                break;
            case Transpose t:
                Child(sb, t.X, !Atomic(t.X) && t.X is not Transpose);
                sb.Append('\'');
                break;
            case Call c:
                sb.Append(c.Op.Name).Append('(');
                for (int i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(sb, c.Args[i]);
                }
                sb.Append(')');
                break;
            default: throw new InvalidOperationException("no structural key for " + e.GetType().Name);
        }
    }

    private static void Binary(StringBuilder sb, Expr left, string op, Expr right)
    {
        Child(sb, left, left is Add or Neg);
        sb.Append(op);
        Child(sb, right, !Atomic(right) && right is not (Transpose or Power or MatPow));
    }
}
