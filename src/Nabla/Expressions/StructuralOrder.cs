using System.Globalization;
using System.Text;

namespace Nabla.Expressions;

/// <summary>
/// The canonical order of terms and factors, computed from the structure of the expressions alone: a key that
/// spells each node in a fixed, bracketed notation (names, numbers, operators in the language's symbols), compared
/// ordinally. No printer takes part, so a change in how results print never reorders them. The notation is close to
/// the language on purpose (names before their transposes, numbers before names), which keeps results in the order a
/// reader expects; it is also what <see cref="Expr.ToString"/> shows when debugging. <see cref="Compare"/> spells the
/// two keys lazily, side by side, and stops at the first difference, so comparing two large expressions that differ
/// early costs little.
/// </summary>
public static class StructuralOrder
{
    /// <summary>The key of an expression.</summary>
    public static string Key(Expr e)
    {
        var sb = new StringBuilder();
        var cursor = new Cursor(e);
        while (cursor.Next() is { } piece) sb.Append(piece);
        return sb.ToString();
    }

    /// <summary>Ordinal comparison of the keys, spelled only as far as they agree.</summary>
    public static int Compare(Expr a, Expr b)
    {
        if (ReferenceEquals(a, b)) return 0;
        var x = new Cursor(a);
        var y = new Cursor(b);
        string? p = null, q = null;
        int i = 0, j = 0;
        while (true)
        {
            while (p is null || i == p.Length) { p = x.Next(); i = 0; if (p is null) break; }
            while (q is null || j == q.Length) { q = y.Next(); j = 0; if (q is null) break; }
            if (p is null || q is null) return p is null ? (q is null ? 0 : -1) : 1;
            int n = Math.Min(p.Length - i, q.Length - j);
            int c = string.CompareOrdinal(p, i, q, j, n);
            if (c != 0) return c;
            i += n;
            j += n;
        }
    }

    /// <summary>Spells an expression piece by piece: each step expands the next pending node into its pieces.</summary>
    private sealed class Cursor(Expr root)
    {
        private readonly Stack<object> _pending = new([root]);
        private readonly List<object> _pieces = [];

        public string? Next()
        {
            while (_pending.Count > 0)
            {
                var top = _pending.Pop();
                if (top is string s) return s;
                Diagnostics.Budget.Check(); // keys of huge expressions are long: a request's time budget still holds
                _pieces.Clear();
                Pieces((Expr)top, _pieces);
                for (int k = _pieces.Count - 1; k >= 0; k--) _pending.Push(_pieces[k]);
            }
            return null;
        }
    }

    private static bool Atomic(Expr e) => e is Var or Num { Value: >= 0 } or Eye or Fill or Call;

    private static void Child(List<object> o, Expr e, bool bracket)
    {
        if (bracket) { o.Add("("); o.Add(e); o.Add(")"); }
        else o.Add(e);
    }

    /// <summary>The pieces of one node: strings, and child nodes still to spell.</summary>
    private static void Pieces(Expr e, List<object> o)
    {
        switch (e)
        {
            case Num n:
                o.Add(n.Value == Math.Floor(n.Value) && Math.Abs(n.Value) < 1e15
                    ? ((long)n.Value).ToString(CultureInfo.InvariantCulture)
                    : n.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case Var v: o.Add(v.Name); break;
            case Eye: o.Add("eye"); break;
            case Fill f:
                o.Add(f.Shape.Kind is LinearAlgebra.ShapeKind.Matrix ? "matrix(" : "vector(");
                o.Add(f.Value);
                o.Add(f.Shape.Kind == LinearAlgebra.ShapeKind.Row ? ")'" : ")");
                break;
            case Neg g:
                o.Add("-");
                Child(o, g.X, !Atomic(g.X) && g.X is not (Mul or Transpose or Power or MatPow));
                break;
            case Add a:
                for (int i = 0; i < a.Terms.Count; i++)
                {
                    var t = a.Terms[i] is Fill { Value: var v } && !a.Shape.IsScalar ? v : a.Terms[i]; // a broadcast scalar, bare
                    if (i > 0 && t is not Neg) o.Add("+");
                    Child(o, t, t is Add);
                }
                break;
            case Mul m:
                for (int i = 0; i < m.Factors.Count; i++)
                {
                    if (i > 0) o.Add("*");
                    var f = m.Factors[i];
                    Child(o, f, f is Add or Mul || (i > 0 && f is Neg or Num { Value: < 0 }));
                }
                break;
            case Div d: Binary(o, d.X, "/", d.Divisor); break;
            case Elementwise w: Binary(o, w.Left, w.Op == ElementwiseOp.Mul ? ".*" : "./", w.Right); break;
            case Power p:
                Child(o, p.Base, !Atomic(p.Base) && p.Base is not Transpose);
                o.Add(p.Base.Shape.IsScalar ? "^" : ".^");
                Child(o, p.Exponent, !Atomic(p.Exponent));
                break;
            case MatPow mp:
                Child(o, mp.A, !Atomic(mp.A) && mp.A is not Transpose);
                o.Add("^" + mp.K.ToString(CultureInfo.InvariantCulture));
                break;
            case Transpose t:
                Child(o, t.X, !Atomic(t.X) && t.X is not Transpose);
                o.Add("'");
                break;
            case Call c:
                o.Add(c.Op.Name + "(");
                for (int i = 0; i < c.Args.Count; i++)
                {
                    if (i > 0) o.Add(", ");
                    o.Add(c.Args[i]);
                }
                o.Add(")");
                break;
            default: throw new InvalidOperationException("no structural key for " + e.GetType().Name);
        }
    }

    private static void Binary(List<object> o, Expr left, string op, Expr right)
    {
        Child(o, left, left is Add or Neg);
        o.Add(op);
        Child(o, right, !Atomic(right) && right is not (Transpose or Power or MatPow));
    }
}
