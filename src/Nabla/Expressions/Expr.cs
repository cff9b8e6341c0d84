using System.Globalization;

namespace Nabla.Expressions;

/// <summary>
/// The typed IR: immutable nodes, each knowing its shape, compared structurally with a cached hash
/// (so dictionaries keyed by Expr give common-subexpression elimination for free).
/// Constructors check shapes (an internal error if violated) but never simplify.
/// </summary>
public abstract class Expr : IEquatable<Expr>
{
    private int _hash;

    public abstract Shape Shape { get; }

    public abstract IReadOnlyList<Expr> Children { get; }

    /// <summary>Number of nodes in the tree (shared subtrees counted each time).</summary>
    public int Size
    {
        get
        {
            int n = 1;
            foreach (var c in Children) n += c.Size;
            return n;
        }
    }

    public abstract Expr WithChildren(IReadOnlyList<Expr> children);

    /// <summary>Whether the tree, written out (shared subtrees counted each time), has at most <paramref name="limit"/> nodes.</summary>
    public bool SizeAtMost(int limit)
    {
        int count = 0;
        var stack = new Stack<Expr>([this]);
        while (stack.Count > 0)
        {
            if (++count > limit) return false;
            foreach (var c in stack.Pop().Children) stack.Push(c);
        }
        return true;
    }

    /// <summary>This expression with every occurrence of <paramref name="target"/> replaced.</summary>
    public Expr Replace(Expr target, Expr with)
    {
        if (Equals(target)) return with;
        var kids = Children;
        if (kids.Count == 0) return this;
        var mapped = kids.Select(k => k.Replace(target, with)).ToList();
        return mapped.SequenceEqual(kids) ? this : WithChildren(mapped);
    }

    protected abstract int ComputeHash();

    protected abstract bool EqualsCore(Expr other);

    public bool Equals(Expr? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.GetType() != GetType() || other.GetHashCode() != GetHashCode()) return false;
        return EqualsCore(other);
    }

    public override bool Equals(object? obj) => obj is Expr e && Equals(e);

    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            int h = ComputeHash();
            _hash = h == 0 ? 1 : h;
        }
        return _hash;
    }

    /// <summary>The structural key (<see cref="StructuralOrder"/>): close to the language, for debugging; printers make the text users see.</summary>
    public override string ToString() => StructuralOrder.Key(this);

    protected static bool SameChildren(IReadOnlyList<Expr> a, IReadOnlyList<Expr> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (!a[i].Equals(b[i])) return false;
        return true;
    }

    protected static int HashChildren(int seed, IReadOnlyList<Expr> children)
    {
        var h = new HashCode();
        h.Add(seed);
        foreach (var c in children) h.Add(c.GetHashCode());
        return h.ToHashCode();
    }

    public static bool operator ==(Expr? a, Expr? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Expr? a, Expr? b) => !(a == b);
}

/// <summary>A scalar constant.</summary>
public sealed class Num(double value) : Expr
{
    public static readonly Num Zero = new(0), One = new(1), MinusOne = new(-1), Two = new(2);

    public double Value { get; } = value;
    public override Shape Shape => Shape.Scalar;
    public override IReadOnlyList<Expr> Children => [];
    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;
    protected override int ComputeHash() => HashCode.Combine(1, Value);
    protected override bool EqualsCore(Expr other) => ((Num)other).Value.Equals(Value);
    public string Text => Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A variable. <see cref="Symmetric"/> means it is square and equal to its transpose.</summary>
public sealed class Var(string name, Shape shape, bool symmetric = false) : Expr
{
    public string Name { get; } = name;
    public bool Symmetric { get; } = symmetric;
    public override Shape Shape { get; } = shape;
    public override IReadOnlyList<Expr> Children => [];
    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;
    protected override int ComputeHash() => HashCode.Combine(2, Name, Shape, Symmetric);
    protected override bool EqualsCore(Expr other) => other is Var v && v.Name == Name && v.Shape == Shape && v.Symmetric == Symmetric;
}

/// <summary>A vector or matrix with every entry equal to a scalar: vector(c), matrix(c), and a broadcast scalar.</summary>
public sealed class Fill : Expr
{
    public Fill(Expr value, Shape shape)
    {
        if (!value.Shape.IsScalar) throw new InvalidOperationException("Fill needs a scalar value");
        if (shape.IsScalar) throw new InvalidOperationException("Fill needs a non-scalar shape");
        Value = value;
        Shape = shape;
    }

    public Expr Value { get; }
    public override Shape Shape { get; }
    public override IReadOnlyList<Expr> Children => [Value];
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Fill(c[0], Shape);
    protected override int ComputeHash() => HashCode.Combine(3, Value, Shape);
    protected override bool EqualsCore(Expr other) => other is Fill f && f.Shape == Shape && f.Value.Equals(Value);
}

/// <summary>The identity matrix of size n.</summary>
public sealed class Eye(Dim n) : Expr
{
    public Dim N { get; } = n;
    public override Shape Shape => Shape.Matrix(N, N);
    public override IReadOnlyList<Expr> Children => [];
    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;
    protected override int ComputeHash() => HashCode.Combine(4, N);
    protected override bool EqualsCore(Expr other) => ((Eye)other).N == N;
}

/// <summary>Unary minus.</summary>
public sealed class Neg(Expr x) : Expr
{
    public Expr X { get; } = x;
    public override Shape Shape => X.Shape;
    public override IReadOnlyList<Expr> Children => [X];
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Neg(c[0]);
    protected override int ComputeHash() => HashCode.Combine(5, X);
    protected override bool EqualsCore(Expr other) => ((Neg)other).X.Equals(X);
}

/// <summary>An n-ary sum of terms of one shape (scalars are broadcast through <see cref="Fill"/>).</summary>
public sealed class Add : Expr
{
    public Add(IReadOnlyList<Expr> terms)
    {
        if (terms.Count < 2) throw new InvalidOperationException("Add needs two or more terms");
        var s = terms[0].Shape;
        foreach (var t in terms)
            if (t.Shape != s) throw new InvalidOperationException($"Add of {s} and {t.Shape}");
        Terms = terms;
        Shape = s;
    }

    public IReadOnlyList<Expr> Terms { get; }
    public override Shape Shape { get; }
    public override IReadOnlyList<Expr> Children => Terms;
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Add(c);
    protected override int ComputeHash() => HashChildren(6, Terms);
    protected override bool EqualsCore(Expr other) => SameChildren(((Add)other).Terms, Terms);
}

/// <summary>An n-ary product '*': scalars scale, everything else multiplies as matrices, left to right.</summary>
public sealed class Mul : Expr
{
    public Mul(IReadOnlyList<Expr> factors)
    {
        if (factors.Count < 2) throw new InvalidOperationException("Mul needs two or more factors");
        Shape = ProductShape(factors) ?? throw new InvalidOperationException("Mul of incompatible shapes: " + string.Join(", ", factors.Select(f => f.Shape)));
        Factors = GroupScalarPieces(factors);
    }

    /// <summary>
    /// The factors with every scalar piece of the chain that more factors follow made a product of its
    /// own: x'*x*y is (x'*x)*y, a scalar scaling y, never a matrix chain x', x, y. Every rule that walks
    /// a product's matrix chain (transposing the left and right parts, dropping identities, reading off
    /// Jacobians) may then take the non-scalar factors as one matrix product.
    /// </summary>
    private static IReadOnlyList<Expr> GroupScalarPieces(IReadOnlyList<Expr> factors)
    {
        List<Expr>? grouped = null;
        int start = 0;
        Shape acc = Shape.Scalar;
        bool sawMatrix = false;
        for (int k = 0; k < factors.Count; k++)
        {
            var s = factors[k].Shape;
            if (s.IsScalar) continue;
            acc = sawMatrix ? new Shape(acc.Rows, s.Cols) : s;
            sawMatrix = true;
            if (!acc.IsScalar) continue;
            bool more = false;
            for (int j = k + 1; j < factors.Count && !more; j++) more = !factors[j].Shape.IsScalar;
            if (!more) break;
            grouped ??= [];
            if (k > start) grouped.Add(new Mul(Slice(factors, start, k + 1)));
            else grouped.Add(factors[k]);
            start = k + 1;
            sawMatrix = false;
        }
        if (grouped is null) return factors;
        if (start == 0) return factors;
        var rest = Slice(factors, start, factors.Count);
        grouped.AddRange(rest);
        return grouped;
    }

    private static List<Expr> Slice(IReadOnlyList<Expr> f, int from, int to)
    {
        var l = new List<Expr>(to - from);
        for (int i = from; i < to; i++) l.Add(f[i]);
        return l;
    }

    public IReadOnlyList<Expr> Factors { get; }
    public override Shape Shape { get; }
    public override IReadOnlyList<Expr> Children => Factors;
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Mul(c);
    protected override int ComputeHash() => HashChildren(7, Factors);
    protected override bool EqualsCore(Expr other) => SameChildren(((Mul)other).Factors, Factors);

    /// <summary>The shape of a product of the given factors, or null if they do not multiply.</summary>
    public static Shape? ProductShape(IEnumerable<Expr> factors)
    {
        Shape acc = Shape.Scalar;
        foreach (var f in factors)
        {
            var s = f.Shape;
            if (s.IsScalar) continue;
            if (acc.IsScalar) { acc = s; continue; }
            if (acc.Cols != s.Rows) return null;
            acc = new Shape(acc.Rows, s.Cols);
        }
        return acc;
    }
}

/// <summary>Division by a scalar: X / s.</summary>
public sealed class Div : Expr
{
    public Div(Expr x, Expr divisor)
    {
        if (!divisor.Shape.IsScalar) throw new InvalidOperationException("Div by a non-scalar");
        X = x;
        Divisor = divisor;
    }

    public Expr X { get; }
    public Expr Divisor { get; }
    public override Shape Shape => X.Shape;
    public override IReadOnlyList<Expr> Children => [X, Divisor];
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Div(c[0], c[1]);
    protected override int ComputeHash() => HashCode.Combine(8, X, Divisor);
    protected override bool EqualsCore(Expr other) => other is Div d && d.X.Equals(X) && d.Divisor.Equals(Divisor);
}

public enum ElementwiseOp { Mul, Div }

/// <summary>Element-wise product '.*' or quotient './' of equal shapes, or of a scalar and anything.</summary>
public sealed class Elementwise : Expr
{
    public Elementwise(ElementwiseOp op, Expr left, Expr right)
    {
        var l = left.Shape; var r = right.Shape;
        if (!(l == r || l.IsScalar || r.IsScalar)) throw new InvalidOperationException($"Elementwise of {l} and {r}");
        Op = op;
        Left = left;
        Right = right;
        Shape = l.IsScalar ? r : l;
    }

    public ElementwiseOp Op { get; }
    public Expr Left { get; }
    public Expr Right { get; }
    public override Shape Shape { get; }
    public override IReadOnlyList<Expr> Children => [Left, Right];
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Elementwise(Op, c[0], c[1]);
    protected override int ComputeHash() => HashCode.Combine(9, Op, Left, Right);
    protected override bool EqualsCore(Expr other) => other is Elementwise e && e.Op == Op && e.Left.Equals(Left) && e.Right.Equals(Right);
}

/// <summary>Power with a scalar exponent: '^' for a scalar base, '.^' (element-wise) otherwise.</summary>
public sealed class Power : Expr
{
    public Power(Expr @base, Expr exponent)
    {
        if (!exponent.Shape.IsScalar) throw new InvalidOperationException("Power with a non-scalar exponent");
        Base = @base;
        Exponent = exponent;
    }

    public Expr Base { get; }
    public Expr Exponent { get; }
    public override Shape Shape => Base.Shape;
    public override IReadOnlyList<Expr> Children => [Base, Exponent];
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Power(c[0], c[1]);
    protected override int ComputeHash() => HashCode.Combine(10, Base, Exponent);
    protected override bool EqualsCore(Expr other) => other is Power p && p.Base.Equals(Base) && p.Exponent.Equals(Exponent);
}

/// <summary>A square matrix to an integer power: A^k (A^-1 is the inverse, A^-k its k-th power).</summary>
public sealed class MatPow : Expr
{
    public MatPow(Expr a, int k)
    {
        if (!a.Shape.IsSquare) throw new InvalidOperationException("MatPow of a non-square matrix");
        A = a;
        K = k;
    }

    public Expr A { get; }
    public int K { get; }
    public override Shape Shape => A.Shape;
    public override IReadOnlyList<Expr> Children => [A];
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new MatPow(c[0], K);
    protected override int ComputeHash() => HashCode.Combine(11, A, K);
    protected override bool EqualsCore(Expr other) => other is MatPow p && p.K == K && p.A.Equals(A);
}

public sealed class Transpose(Expr x) : Expr
{
    public Expr X { get; } = x;
    public override Shape Shape => X.Shape.Transposed;
    public override IReadOnlyList<Expr> Children => [X];
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Transpose(c[0]);
    protected override int ComputeHash() => HashCode.Combine(12, X);
    protected override bool EqualsCore(Expr other) => ((Transpose)other).X.Equals(X);
}

/// <summary>A call of a function from the op table.</summary>
public sealed class Call : Expr
{
    public Call(FunctionOp op, IReadOnlyList<Expr> args)
    {
        Op = op;
        Args = args;
        Shape = op.ResultShape(args.Select(a => a.Shape).ToArray());
    }

    public Call(FunctionOp op, Expr arg) : this(op, [arg]) { }

    public FunctionOp Op { get; }
    public IReadOnlyList<Expr> Args { get; }
    /// <summary>The argument of a one-argument call (asking it of expm_frechet(A, E) is an error, never a silent first).</summary>
    public Expr Arg => Args.Count == 1 ? Args[0] : throw new InvalidOperationException($"{Op.Name} takes {Args.Count} arguments: read Args");
    public override Shape Shape { get; }
    public override IReadOnlyList<Expr> Children => Args;
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Call(Op, c);
    protected override int ComputeHash() => HashChildren(13 * 31 + Op.Name.GetHashCode(StringComparison.Ordinal), Args);
    protected override bool EqualsCore(Expr other) => other is Call c && ReferenceEquals(c.Op, Op) && SameChildren(c.Args, Args);
}
