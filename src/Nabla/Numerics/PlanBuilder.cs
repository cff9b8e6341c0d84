using Nabla.Expressions;
using Nabla.Ops;
using Nabla.LinearAlgebra;

namespace Nabla.Numerics;

/// <summary>
/// Lowers expressions to plan steps for one assignment of sizes: each distinct subexpression once (CSE by
/// structural equality), in topological order; transposes become BLAS flags; products are ordered by flop
/// count; every buffer is allocated here, once.
/// </summary>
internal sealed partial class PlanBuilder(IBlas blas, Func<Dim, int> size)
{
    private readonly Dictionary<Expr, Slot> _slots = [];
    private readonly Dictionary<Slot, Slot> _dense = [];
    private readonly List<Step> _steps = [];
    private readonly List<Slot> _all = [];
    private int _temps;

    public List<Step> Steps => _steps;
    public List<Slot> AllSlots => _all;
    public Dictionary<string, Slot> Inputs { get; } = [];

    private (int, int) Sizes(Shape s) => (s.Rows is { } r ? size(r) : 1, s.Cols is { } c ? size(c) : 1);

    private Slot NewSlot(Expr e, string? label = null)
    {
        var (r, c) = Sizes(e.Shape);
        var s = new Slot(r, c, e.Shape.Kind, label ?? $"t{_temps++}");
        _all.Add(s);
        return s;
    }

    private Slot NewSlot(int r, int c, ShapeKind kind)
    {
        var s = new Slot(r, c, kind, $"t{_temps++}");
        _all.Add(s);
        return s;
    }

    private Slot Emit(Step step) { _steps.Add(step); return step.Out; }

    /// <summary>The operand for e: a transpose of a stored value is the stored value with a flag.</summary>
    public Operand Op(Expr e) => e switch
    {
        Transpose { X: Transpose inner } => Op(inner.X),
        // inv(A)' = inv(A'): transpose while copying into the LU buffer instead of afterwards.
        Transpose { X: Call { Op.Name: "inv" } c } => new Operand(Value(new Call(c.Op, new Transpose(c.Arg))), false),
        Transpose t => Op(t.X).Flip(),
        _ => new Operand(Value(e), false),
    };

    /// <summary>e stored in its own shape, materialising a transposed matrix if need be (once per value).</summary>
    public Slot Dense(Expr e)
    {
        var o = Op(e);
        if (!o.Trans) return o.Slot;
        if (_dense.TryGetValue(o.Slot, out var d)) return d;
        var kind = o.Slot.Kind switch { ShapeKind.Vector => ShapeKind.Row, ShapeKind.Row => ShapeKind.Vector, var k => k };
        if (o.Slot.Rows == 1 || o.Slot.Cols == 1)
        {
            d = new Slot(o.Slot.Cols, o.Slot.Rows, kind, o.Slot.Label + "'") { AliasOf = o.Slot };
            _all.Add(d);
        }
        else d = Emit(new TransposeStep(NewSlot(o.Slot.Cols, o.Slot.Rows, kind), o.Slot));
        return _dense[o.Slot] = d;
    }

    /// <summary>The slot holding e's value (not transposed), emitting the steps that compute it.</summary>
    public Slot Value(Expr e)
    {
        if (_slots.TryGetValue(e, out var s)) return s;
        s = Lower(e);
        _slots[e] = s;
        return s;
    }

    private Slot Lower(Expr e)
    {
        switch (e)
        {
            case Var v:
            {
                var (r, c) = Sizes(v.Shape);
                var s = new Slot(r, c, v.Shape.Kind, v.Name) { Input = v.Name };
                _all.Add(s);
                return Inputs[v.Name] = s;
            }
            case Num n: return Emit(new ConstantStep(NewSlot(e, n.Text), [n.Value]));
            case Eye i:
            {
                int n = size(i.N);
                var d = new double[n * n];
                for (int k = 0; k < n; k++) d[k * n + k] = 1;
                return Emit(new ConstantStep(NewSlot(e, "I"), d));
            }
            case Fill f: return Emit(new FillStep(NewSlot(e), Value(f.Value)));
            case Neg g: return Emit(new NegStep(NewSlot(e), Dense(g.X)));
            case Add a when SymmetricSum(a) is { } sym: return Emit(new SymmetricSumStep(NewSlot(e), sym, blas.Threads));
            case Add a: return Emit(new AddStep(NewSlot(e), a.Terms.Select(Dense).ToArray()));
            case Div d: return Emit(new ScaleStep(NewSlot(e), new Alpha(1, [], Value(d.Divisor)), Dense(d.X)));
            case Elementwise w: return Emit(new ElementwiseStep(NewSlot(e), w.Op, Dense(w.Left), Dense(w.Right)));
            case Power p: return Emit(new PowerStep(NewSlot(e), Dense(p.Base), Value(p.Exponent)));
            case MatPow mp: return Emit(new MatPowStep(NewSlot(e), blas, Dense(mp.A), mp.K));
            case Transpose t: return Dense(t);
            case Mul m: return LowerMul(m);
            case Call c: return LowerCall(c);
            default: throw new InvalidOperationException(e.GetType().Name);
        }
    }

    private Slot LowerCall(Call c) => c.Op switch
    {
        PrimaryMatrixFunction f => Emit(new PrimaryFunctionStep(NewSlot(c), blas, f, null, Dense(c.Arg), null)),
        FrechetDerivative l => Emit(new PrimaryFunctionStep(NewSlot(c), blas, null, l, Dense(c.Args[0]), Dense(c.Args[1]))),
        ElementwiseFunction f => Emit(new FunctionStep(NewSlot(c), f, Dense(c.Arg))),
        { Name: "sum" or "mean" or "norm1" or "norm2" } => Emit(new ReduceStep(NewSlot(c), c.Op.Name, Dense(c.Arg))),
        { Name: "tr" } => Emit(new ReduceStep(NewSlot(c), "tr", Dense(c.Arg))),
        { Name: "diag" } => Emit(new DiagStep(NewSlot(c), Dense(c.Arg))),
        { Name: "inv" } => Emit(new InverseStep(NewSlot(c), blas, Op(c.Arg), "the argument of inv")),
        { Name: "det" or "logdet" } => Emit(new DeterminantStep(NewSlot(c), blas, Dense(c.Arg), c.Op.Name == "logdet")),
        _ => Emit(new KernelStep(NewSlot(c), c.Op, Dense(c.Arg))),
    };

    private Slot LowerMul(Mul m)
    {
        var scalars = m.Factors.Where(f => f.Shape.IsScalar).ToList();
        var others = m.Factors.Where(f => !f.Shape.IsScalar).ToList();
        // (A + B')*x = A*x + B'*x: two passes over stored matrices (which a fused pass may share) instead of
        // materialising B' (a strided copy) and the sum before one matrix-vector product.
        if (others.Count == 2 && others[0] is Add sum && others[1].Shape.Kind == ShapeKind.Vector && sum.Terms.All(IsStoredMatrix))
            return Value(new Add(sum.Terms.Select(t => (Expr)new Mul([.. scalars, t, others[1]])).ToList()));
        double constant = 1;
        var factors = new List<Slot>();
        foreach (var s in scalars)
            if (s is Num n) constant *= n.Value;
            else factors.Add(Value(s));
        var alpha = new Alpha(constant, [.. factors]);
        if (others.Count == 0)
        {
            var one = Value(Num.One);
            return Emit(new ScaleStep(NewSlot(m), alpha, one));
        }
        if (others.Count == 1) return Emit(new ScaleStep(NewSlot(m), alpha, Dense(others[0])));
        return Chain(others, alpha, NewSlot(m));
    }

    private static bool IsStoredMatrix(Expr e) => e.Shape.Kind == ShapeKind.Matrix && e is Var or Transpose { X: Var };

    private Step Product(Slot o, Alpha a, Operand l, Operand r)
    {
        bool lVec = l.Slot.Rows == 1 || l.Slot.Cols == 1, rVec = r.Slot.Rows == 1 || r.Slot.Cols == 1;
        if (l.Rows == 1 && r.Cols == 1 && lVec && rVec) return new DotStep(o, blas, a, l.Slot, r.Slot);
        if (r.Cols == 1 && rVec && !lVec) return new GemvStep(o, blas, a, l.Slot, l.Trans, r.Slot);
        if (l.Rows == 1 && lVec && !rVec) return new GemvStep(o, blas, a, r.Slot, !r.Trans, l.Slot);
        return new GemmStep(o, blas, a, l, r);
    }
}
