using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Ops;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>Random well-typed expressions over a fixed set of variables: shapes first, then terms.</summary>
public sealed class ExprGen(Random rng)
{
    public static readonly Dim N = Dim.Symbol("n"), M = Dim.Symbol("m");

    private static readonly Var[] Vars =
    [
        new("a", Shape.Scalar), new("b", Shape.Scalar), new("x", Shape.Vector(N)), new("y", Shape.Vector(M)),
        new("A", Shape.Matrix(N, N)), new("B", Shape.Matrix(N, M)), new("C", Shape.Matrix(M, N)), new("D", Shape.Matrix(M, M)),
    ];

    private static readonly FunctionOp[] Bounded =
        [Functions.Sin, Functions.Cos, Functions.Tanh, Functions.Sigmoid, Functions.Softplus, Functions.Abs, Functions.Arctan];

    private static readonly Shape[] AnyShapes =
        [Shape.Scalar, Shape.Vector(N), Shape.Vector(M), Shape.Matrix(N, N), Shape.Matrix(N, M), Shape.Matrix(M, N), new Shape(null, N)];

    public Expr Scalar(int depth) => Gen(Shape.Scalar, depth);

    /// <summary>
    /// A model-fitting term, sum(f(C*x .* v)) or norm2(C*x − v)^2 with random f and v, whose gradient
    /// in x reads C both ways (C*x, then C'*r): the shape the fused passes are for.
    /// </summary>
    public Expr DataTerm(int depth)
    {
        var cx = new Mul([Vars[6], Vars[2]]);
        var v = Gen(Shape.Vector(M), depth);
        return rng.Next(3) == 0
            ? new Power(new Call(Functions.Norm2, new Add([cx, new Neg(v)])), new Num(2))
            : new Call(Functions.Sum, new Call(Bounded[rng.Next(Bounded.Length)], E.Had(cx, v)));
    }

    public Expr Any(int depth) => Gen(AnyShapes[rng.Next(AnyShapes.Length)], depth);

    /// <summary>Values for sizes n and m; entries in [-1, 1] scaled by 1/sqrt(max(n, m)) so that products stay of order 1.</summary>
    public Dictionary<string, Tensor> Values(int n, int m)
    {
        double scale = 1 / Math.Sqrt(Math.Max(1, Math.Max(n, m)));
        var sizes = new Dictionary<Dim, int> { [N] = n, [M] = m };
        var values = new Dictionary<string, Tensor>();
        foreach (var v in Vars)
        {
            int r = v.Shape.Rows is { } rd ? sizes[rd] : 1, c = v.Shape.Cols is { } cd ? sizes[cd] : 1;
            var t = Backends.Random(rng, r, c, v.Shape.Kind);
            if (v.Shape.Kind == ShapeKind.Matrix) for (int i = 0; i < t.Length; i++) t.Data[i] *= scale;
            values[v.Name] = t;
        }
        return values;
    }

    public Expr Gen(Shape t, int depth)
    {
        if (depth <= 0 || rng.NextDouble() < 0.2) return Leaf(t);
        switch (rng.Next(t.IsScalar ? 14 : 10))
        {
            case 0: return new Neg(Gen(t, depth - 1));
            case 1: return new Add([Gen(t, depth - 1), Gen(t, depth - 1)]);
            case 2: return E.Had(Gen(t, depth - 1), Gen(t, depth - 1));
            case 3: return E.HDiv(Gen(t, depth - 1), Positive(t, depth - 1));
            case 4: return new Transpose(Gen(t.Transposed, depth - 1));
            case 5: return new Call(Bounded[rng.Next(Bounded.Length)], Gen(t, depth - 1));
            case 6: return new Power(Gen(t, depth - 1), new Num(2));
            case 7: return new Mul([Gen(Shape.Scalar, depth - 1), Gen(t, depth - 1)]);
            case 8 or 9: return Product(t, depth);
            case 10: return new Call(Functions.Sum, Any(depth - 1));
            case 11: return new Call(Functions.Tr, Gen(Shape.Matrix(N, N), depth - 1));
            case 12: return new Call(Functions.Logdet, Spd(depth - 1));
            default: return new Call(Functions.Norm2, new Add([Fill(Shape.Vector(M)), Gen(Shape.Vector(M), depth - 1)]));
        }
    }

    private Expr Product(Shape t, int depth)
    {
        if (t.IsSquare && rng.Next(4) == 0)
        {
            // inv of a well-conditioned matrix, sometimes transposed, or a square power.
            return rng.Next(3) switch
            {
                0 => new Call(Functions.Inv, Spd(depth - 1, t.Rows!.Value)),
                1 => new Transpose(new Call(Functions.Inv, Spd(depth - 1, t.Rows!.Value))),
                _ => new MatPow(Gen(t, depth - 1), 2),
            };
        }
        var k = rng.Next(2) == 0 ? N : M;
        int parts = rng.Next(2, 4);
        var factors = new List<Expr>();
        Dim? left = t.Rows;
        for (int i = 0; i < parts; i++)
        {
            Dim? right = i == parts - 1 ? t.Cols : (rng.Next(2) == 0 ? N : M);
            if (i == 0 && left is null && right is null) right = k;
            factors.Add(Gen(new Shape(left, right), depth - 1));
            left = right;
        }
        return new Mul(factors);
    }

    private Expr Spd(int depth, Dim? n = null)
    {
        var d = n ?? N;
        var g = new Call(Functions.Tanh, Gen(Shape.Matrix(d, d), depth - 1));
        return new Add([new Mul([new Num(3), new Eye(d)]), new Mul([g, new Transpose(g)])]);
    }

    private Expr Positive(Shape t, int depth) =>
        new Add([t.IsScalar ? new Num(1) : Fill(t), new Power(Gen(t, depth - 1), new Num(2))]);

    private static Expr Fill(Shape t) => new Fill(new Num(1), t);

    private Expr Leaf(Shape t)
    {
        var matching = Vars.Where(v => v.Shape == t).ToArray();
        if (t.Kind == ShapeKind.Row) return new Transpose(Leaf(t.Transposed));
        if (t.IsScalar && rng.Next(3) == 0) return new Num(Math.Round(rng.NextDouble() * 4 - 2, 2));
        if (!t.IsScalar && rng.Next(8) == 0) return t.IsSquare ? new Eye(t.Rows!.Value) : new Fill(new Num(0.5), t);
        return matching[rng.Next(matching.Length)];
    }
}
