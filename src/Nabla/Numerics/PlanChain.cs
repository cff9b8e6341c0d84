using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Numerics;

/// <summary>
/// Products of several factors. A factor diag(v) of a vector v is never materialised: it stays the vector,
/// adjacent ones multiply element-wise, and a product with one scales rows or columns (a pass over the
/// other factor). P'·diag(s)·P and P'·P are symmetric, so they are computed as such (the lower triangle
/// by blocks, then mirrored): the Hessians X'·diag(s)·X of the generalised linear models.
/// </summary>
internal sealed partial class PlanBuilder
{
    /// <summary>A factor of a chain: a stored operand, or (Diag not null) the diagonal matrix of a vector slot.</summary>
    private readonly record struct Item(Operand Op, Slot? Diag)
    {
        public int Rows => Diag?.Length ?? Op.Rows;
        public int Cols => Diag?.Length ?? Op.Cols;
        public bool IsMatrix => Diag is null && Op.Slot.Rows > 1 && Op.Slot.Cols > 1;
    }

    /// <summary>
    /// v when e is diag(v) for a vector v: a diag call, or a transpose, negation, sum or product (with
    /// scalars) of such; the vector as an expression (element-wise), else null.
    /// </summary>
    private static Expr? DiagVector(Expr e)
    {
        switch (e)
        {
            case Call { Op.Name: "diag" } c when c.Arg.Shape.Kind == ShapeKind.Vector: return c.Arg;
            case Transpose t: return DiagVector(t.X);
            case Neg g: return DiagVector(g.X) is { } nv ? new Neg(nv) : null;
            case Add a:
            {
                var terms = a.Terms.Select(DiagVector).ToList();
                if (terms.Any(t => t is null) || terms.Any(t => t!.Shape != terms[0]!.Shape)) return null;
                return new Add(terms!);
            }
            case Mul m when m.Factors.Any(f => !f.Shape.IsScalar):
            {
                var vs = m.Factors.Where(f => !f.Shape.IsScalar).Select(DiagVector).ToList();
                if (vs.Any(v => v is null) || vs.Any(v => v!.Shape != vs[0]!.Shape)) return null;
                var product = vs.Skip(1).Aggregate(vs[0]!, (p, v) => new Elementwise(ElementwiseOp.Mul, p, v!));
                return m.Factors.Where(f => f.Shape.IsScalar).Aggregate(product, (p, c) => new Elementwise(ElementwiseOp.Mul, c, p));
            }
            default: return null;
        }
    }

    /// <summary>A + A' (either order) for a stored square matrix A: the slot of A, else null.</summary>
    private Slot? SymmetricSum(Add a)
    {
        if (a.Terms.Count != 2 || a.Shape.Kind != ShapeKind.Matrix || !a.Shape.IsSquare) return null;
        if (a.Terms.Any(t => t.Shape.Kind != ShapeKind.Matrix)) return null;
        var (l, r) = (a.Terms[0], a.Terms[1]);
        bool pair = (l is Transpose tl && tl.X.Equals(r)) || (r is Transpose tr && tr.X.Equals(l));
        if (!pair) return null;
        var o = Op(l is Transpose ? r : l);
        return o.Trans ? null : o.Slot;
    }

    /// <summary>The product of the factors in the order that costs least (matrix-chain dynamic programme).</summary>
    private Slot Chain(List<Expr> factors, Alpha alpha, Slot output)
    {
        // Adjacent diagonals multiply element-wise (as expressions, so that common parts are shared).
        var merged = new List<(Expr E, Expr? Diag)>();
        foreach (var f in factors)
        {
            var v = DiagVector(f);
            if (v is not null && merged.Count > 0 && merged[^1].Diag is { } prev)
                merged[^1] = (f, new Elementwise(ElementwiseOp.Mul, prev, v));
            else merged.Add((f, v));
        }
        var items = merged.Select(m => m.Diag is { } d ? new Item(default, Value(d)) : new Item(Op(m.E), null)).ToArray();
        if (items.Length == 1) return Emit(DiagProduct(output, alpha, items[0], null));

        int k = items.Length;
        var dims = new long[k + 1];
        dims[0] = items[0].Rows;
        for (int i = 0; i < k; i++) dims[i + 1] = items[i].Cols;
        var cost = new long[k, k];
        var split = new int[k, k];
        for (int len = 2; len <= k; len++)
            for (int i = 0; i + len - 1 < k; i++)
            {
                int j = i + len - 1;
                cost[i, j] = long.MaxValue;
                for (int s = i; s < j; s++)
                {
                    bool scale = (s == i && items[i].Diag is not null) || (s + 1 == j && items[j].Diag is not null);
                    long step = scale ? dims[i] * dims[j + 1] : dims[i] * dims[s + 1] * dims[j + 1];
                    long c = cost[i, s] + cost[s + 1, j] + step;
                    if (c < cost[i, j]) { cost[i, j] = c; split[i, j] = s; }
                }
                if (Gram(i, j) is { } g)
                {
                    // P'·P or P'·diag(s)·P: half the flops of a product (plus a scaling pass).
                    long c = dims[i] * dims[i] * g.Rows / 2 + (j - i == 2 ? g.Rows * g.Cols : 0);
                    if (c <= cost[i, j]) { cost[i, j] = c; split[i, j] = -1; }
                }
            }
        return Build(0, k - 1, alpha, output).Op.Slot;

        // P (the operand on the right) when items i..j are P'·P or P'·diag(s)·P for a matrix P.
        Operand? Gram(int i, int j)
        {
            var (l, r) = (items[i], items[j]);
            if (!l.IsMatrix || !r.IsMatrix || l.Op != r.Op.Flip()) return null;
            return j - i == 1 || (j - i == 2 && items[i + 1].Diag is not null) ? r.Op : null;
        }

        Item Build(int i, int j, Alpha a, Slot? into)
        {
            if (i == j) return items[i];
            if (split[i, j] < 0)
            {
                var p = Gram(i, j)!.Value;
                var o = into ?? NewSlot(p.Cols, p.Cols, ShapeKind.Matrix);
                return new Item(new Operand(Emit(new GramStep(o, blas, a, p, j - i == 2 ? items[i + 1].Diag : null)), false), null);
            }
            var left = Build(i, split[i, j], Alpha.One, null);
            var right = Build(split[i, j] + 1, j, Alpha.One, null);
            var kind = (left.Rows == 1, right.Cols == 1) switch
            {
                (true, true) => ShapeKind.Scalar,
                (true, false) => ShapeKind.Row,
                (false, true) => ShapeKind.Vector,
                _ => ShapeKind.Matrix,
            };
            var slot = into ?? NewSlot(left.Rows, right.Cols, kind);
            var step = left.Diag is null && right.Diag is null ? Product(slot, a, left.Op, right.Op) : DiagProduct(slot, a, left, right);
            return new Item(new Operand(Emit(step), false), null);
        }
    }

    /// <summary>alpha·l·r where l or r is a diagonal (r null: alpha·diag(v) alone, materialised).</summary>
    private static Step DiagProduct(Slot o, Alpha a, Item l, Item? r)
    {
        if (r is not { } right) return new DiagStep(o, l.Diag!, a);
        if (l.Diag is { } v) return new DiagScaleStep(o, a, right.Op, v, rows: true);
        return new DiagScaleStep(o, a, l.Op, right.Diag!, rows: false);
    }
}
