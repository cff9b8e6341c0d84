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

    /// <summary>The shape of the value this node denotes: scalar, vector or matrix, with symbolic dimensions.</summary>
    public abstract Shape Shape { get; }

    /// <summary>The operands of this node, in order; empty for a leaf.</summary>
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

    /// <summary>A node of the same kind with the given operands in place of <see cref="Children"/> (shapes must still agree).</summary>
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

    /// <summary>The structural hash, computed once from the node kind and its operands and cached by <see cref="GetHashCode"/>.</summary>
    protected abstract int ComputeHash();

    /// <summary>Structural equality with a node of the same type and hash: the node-specific part of <see cref="Equals(Expr)"/>.</summary>
    protected abstract bool EqualsCore(Expr other);

    /// <summary>Structural equality: the same node kind with equal fields and equal operands.</summary>
    public bool Equals(Expr? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.GetType() != GetType() || other.GetHashCode() != GetHashCode()) return false;
        return EqualsCore(other);
    }

    /// <summary>Structural equality with another <see cref="Expr"/>; false for anything else.</summary>
    public override bool Equals(object? obj) => obj is Expr e && Equals(e);

    /// <summary>The cached structural hash, consistent with <see cref="Equals(Expr)"/>.</summary>
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

    /// <summary>Whether two operand lists are structurally equal, element by element.</summary>
    protected static bool SameChildren(IReadOnlyList<Expr> a, IReadOnlyList<Expr> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (!a[i].Equals(b[i])) return false;
        return true;
    }

    /// <summary>A hash of an operand list, mixed with a per-kind <paramref name="seed"/>.</summary>
    protected static int HashChildren(int seed, IReadOnlyList<Expr> children)
    {
        var h = new HashCode();
        h.Add(seed);
        foreach (var c in children) h.Add(c.GetHashCode());
        return h.ToHashCode();
    }

    /// <summary>Structural equality; two nulls are equal.</summary>
    public static bool operator ==(Expr? a, Expr? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Structural inequality.</summary>
    public static bool operator !=(Expr? a, Expr? b) => !(a == b);
}

/// <summary>A scalar constant.</summary>
public sealed class Num(double value) : Expr
{
    /// <summary>Common scalar constants: 0, 1, -1 and 2.</summary>
    public static readonly Num Zero = new(0), One = new(1), MinusOne = new(-1), Two = new(2);

    /// <summary>The constant's value.</summary>
    public double Value { get; } = value;
    /// <summary>Always scalar.</summary>
    public override Shape Shape => Shape.Scalar;
    /// <summary>None: a constant is a leaf.</summary>
    public override IReadOnlyList<Expr> Children => [];
    /// <summary>This constant itself: a leaf has no operands to replace.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;
    /// <summary>Hashes the node kind with the value.</summary>
    protected override int ComputeHash() => HashCode.Combine(1, Value);
    /// <summary>Equal when the values are equal.</summary>
    protected override bool EqualsCore(Expr other) => ((Num)other).Value.Equals(Value);
    /// <summary>The value written round-trippably with the invariant culture.</summary>
    public string Text => Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A variable. <see cref="Symmetric"/> means it is square and equal to its transpose.</summary>
public sealed class Var(string name, Shape shape, bool symmetric = false) : Expr
{
    /// <summary>The variable's name as written in the source.</summary>
    public string Name { get; } = name;
    /// <summary>Whether the variable is declared symmetric (square and equal to its transpose).</summary>
    public bool Symmetric { get; } = symmetric;
    /// <summary>The declared shape.</summary>
    public override Shape Shape { get; } = shape;
    /// <summary>None: a variable is a leaf.</summary>
    public override IReadOnlyList<Expr> Children => [];
    /// <summary>This variable itself: a leaf has no operands to replace.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;
    /// <summary>Hashes the node kind with the name, shape and symmetry.</summary>
    protected override int ComputeHash() => HashCode.Combine(2, Name, Shape, Symmetric);
    /// <summary>Equal when name, shape and symmetry all agree.</summary>
    protected override bool EqualsCore(Expr other) => other is Var v && v.Name == Name && v.Shape == Shape && v.Symmetric == Symmetric;
}

/// <summary>A vector or matrix with every entry equal to a scalar: vector(c), matrix(c), and a broadcast scalar.</summary>
public sealed class Fill : Expr
{
    /// <summary>A fill of <paramref name="shape"/> with the scalar <paramref name="value"/>; the shape must not be scalar.</summary>
    public Fill(Expr value, Shape shape)
    {
        if (!value.Shape.IsScalar) throw new InvalidOperationException("Fill needs a scalar value");
        if (shape.IsScalar) throw new InvalidOperationException("Fill needs a non-scalar shape");
        Value = value;
        Shape = shape;
    }

    /// <summary>The scalar every entry equals.</summary>
    public Expr Value { get; }
    /// <summary>The (non-scalar) shape filled.</summary>
    public override Shape Shape { get; }
    /// <summary>The scalar value.</summary>
    public override IReadOnlyList<Expr> Children => [Value];
    /// <summary>A fill of the same shape with a new scalar value.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Fill(c[0], Shape);
    /// <summary>Hashes the node kind with the value and shape.</summary>
    protected override int ComputeHash() => HashCode.Combine(3, Value, Shape);
    /// <summary>Equal when the shapes agree and the values are equal.</summary>
    protected override bool EqualsCore(Expr other) => other is Fill f && f.Shape == Shape && f.Value.Equals(Value);
}

/// <summary>The identity matrix of size n.</summary>
public sealed class Eye(Dim n) : Expr
{
    /// <summary>The size n.</summary>
    public Dim N { get; } = n;
    /// <summary>n by n.</summary>
    public override Shape Shape => Shape.Matrix(N, N);
    /// <summary>None: the identity is a leaf.</summary>
    public override IReadOnlyList<Expr> Children => [];
    /// <summary>This identity itself: a leaf has no operands to replace.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> children) => this;
    /// <summary>Hashes the node kind with the size.</summary>
    protected override int ComputeHash() => HashCode.Combine(4, N);
    /// <summary>Equal when the sizes agree.</summary>
    protected override bool EqualsCore(Expr other) => ((Eye)other).N == N;
}

/// <summary>Unary minus.</summary>
public sealed class Neg(Expr x) : Expr
{
    /// <summary>The operand negated.</summary>
    public Expr X { get; } = x;
    /// <summary>The operand's shape.</summary>
    public override Shape Shape => X.Shape;
    /// <summary>The operand.</summary>
    public override IReadOnlyList<Expr> Children => [X];
    /// <summary>The negation of the new operand.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Neg(c[0]);
    /// <summary>Hashes the node kind with the operand.</summary>
    protected override int ComputeHash() => HashCode.Combine(5, X);
    /// <summary>Equal when the operands are equal.</summary>
    protected override bool EqualsCore(Expr other) => ((Neg)other).X.Equals(X);
}

/// <summary>An n-ary sum of terms of one shape (scalars are broadcast through <see cref="Fill"/>).</summary>
public sealed class Add : Expr
{
    /// <summary>The sum of two or more <paramref name="terms"/>, all of one shape.</summary>
    public Add(IReadOnlyList<Expr> terms)
    {
        if (terms.Count < 2) throw new InvalidOperationException("Add needs two or more terms");
        var s = terms[0].Shape;
        foreach (var t in terms)
            if (t.Shape != s) throw new InvalidOperationException($"Add of {s} and {t.Shape}");
        Terms = terms;
        Shape = s;
    }

    /// <summary>The terms summed, in order.</summary>
    public IReadOnlyList<Expr> Terms { get; }
    /// <summary>The common shape of the terms.</summary>
    public override Shape Shape { get; }
    /// <summary>The terms.</summary>
    public override IReadOnlyList<Expr> Children => Terms;
    /// <summary>The sum of the new terms.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Add(c);
    /// <summary>Hashes the node kind with the terms.</summary>
    protected override int ComputeHash() => HashChildren(6, Terms);
    /// <summary>Equal when the terms are equal, in order.</summary>
    protected override bool EqualsCore(Expr other) => SameChildren(((Add)other).Terms, Terms);
}

/// <summary>An n-ary product '*': scalars scale, everything else multiplies as matrices, left to right.</summary>
public sealed class Mul : Expr
{
    /// <summary>The product of two or more <paramref name="factors"/> whose shapes multiply; scalar pieces of the chain are grouped as products of their own.</summary>
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

    /// <summary>The factors multiplied, left to right, with scalar pieces of the matrix chain grouped.</summary>
    public IReadOnlyList<Expr> Factors { get; }
    /// <summary>The shape of the product (<see cref="ProductShape"/>).</summary>
    public override Shape Shape { get; }
    /// <summary>The factors.</summary>
    public override IReadOnlyList<Expr> Children => Factors;
    /// <summary>The product of the new factors.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Mul(c);
    /// <summary>Hashes the node kind with the factors.</summary>
    protected override int ComputeHash() => HashChildren(7, Factors);
    /// <summary>Equal when the factors are equal, in order.</summary>
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
    /// <paramref name="x"/> divided by the scalar <paramref name="divisor"/>.
    public Div(Expr x, Expr divisor)
    {
        if (!divisor.Shape.IsScalar) throw new InvalidOperationException("Div by a non-scalar");
        X = x;
        Divisor = divisor;
    }

    /// <summary>The dividend, of any shape.</summary>
    public Expr X { get; }
    /// <summary>The scalar divisor.</summary>
    public Expr Divisor { get; }
    /// <summary>The dividend's shape.</summary>
    public override Shape Shape => X.Shape;
    /// <summary>The dividend and the divisor.</summary>
    public override IReadOnlyList<Expr> Children => [X, Divisor];
    /// <summary>The quotient of the new dividend and divisor.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Div(c[0], c[1]);
    /// <summary>Hashes the node kind with the dividend and divisor.</summary>
    protected override int ComputeHash() => HashCode.Combine(8, X, Divisor);
    /// <summary>Equal when dividends and divisors are equal.</summary>
    protected override bool EqualsCore(Expr other) => other is Div d && d.X.Equals(X) && d.Divisor.Equals(Divisor);
}

/// <summary>The element-wise operator of an <see cref="Elementwise"/> node.</summary>
public enum ElementwiseOp
{
    /// <summary>The element-wise product '.*'.</summary>
    Mul,
    /// <summary>The element-wise quotient './'.</summary>
    Div,
}

/// <summary>Element-wise product '.*' or quotient './' of equal shapes, or of a scalar and anything.</summary>
public sealed class Elementwise : Expr
{
    /// <paramref name="op"/> applied entry by entry to <paramref name="left"/> and <paramref name="right"/>, of equal shapes or one a scalar.
    public Elementwise(ElementwiseOp op, Expr left, Expr right)
    {
        var l = left.Shape; var r = right.Shape;
        if (!(l == r || l.IsScalar || r.IsScalar)) throw new InvalidOperationException($"Elementwise of {l} and {r}");
        Op = op;
        Left = left;
        Right = right;
        Shape = l.IsScalar ? r : l;
    }

    /// <summary>Which element-wise operator: product '.*' or quotient './'.</summary>
    public ElementwiseOp Op { get; }
    /// <summary>The left operand.</summary>
    public Expr Left { get; }
    /// <summary>The right operand.</summary>
    public Expr Right { get; }
    /// <summary>The shape of the non-scalar operand (either, when the shapes are equal).</summary>
    public override Shape Shape { get; }
    /// <summary>The left and right operands.</summary>
    public override IReadOnlyList<Expr> Children => [Left, Right];
    /// <summary>The same element-wise operation of the new operands.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Elementwise(Op, c[0], c[1]);
    /// <summary>Hashes the node kind with the operator and operands.</summary>
    protected override int ComputeHash() => HashCode.Combine(9, Op, Left, Right);
    /// <summary>Equal when the operators agree and the operands are equal.</summary>
    protected override bool EqualsCore(Expr other) => other is Elementwise e && e.Op == Op && e.Left.Equals(Left) && e.Right.Equals(Right);
}

/// <summary>Power with a scalar exponent: '^' for a scalar base, '.^' (element-wise) otherwise.</summary>
public sealed class Power : Expr
{
    /// <paramref name="base"/> to the scalar power <paramref name="exponent"/>, element-wise for a non-scalar base.
    public Power(Expr @base, Expr exponent)
    {
        if (!exponent.Shape.IsScalar) throw new InvalidOperationException("Power with a non-scalar exponent");
        Base = @base;
        Exponent = exponent;
    }

    /// <summary>The base, of any shape.</summary>
    public Expr Base { get; }
    /// <summary>The scalar exponent.</summary>
    public Expr Exponent { get; }
    /// <summary>The base's shape.</summary>
    public override Shape Shape => Base.Shape;
    /// <summary>The base and the exponent.</summary>
    public override IReadOnlyList<Expr> Children => [Base, Exponent];
    /// <summary>The power of the new base and exponent.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Power(c[0], c[1]);
    /// <summary>Hashes the node kind with the base and exponent.</summary>
    protected override int ComputeHash() => HashCode.Combine(10, Base, Exponent);
    /// <summary>Equal when bases and exponents are equal.</summary>
    protected override bool EqualsCore(Expr other) => other is Power p && p.Base.Equals(Base) && p.Exponent.Equals(Exponent);
}

/// <summary>A square matrix to an integer power: A^k (A^-1 is the inverse, A^-k its k-th power).</summary>
public sealed class MatPow : Expr
{
    /// <summary>The square matrix <paramref name="a"/> to the integer power <paramref name="k"/>.</summary>
    public MatPow(Expr a, int k)
    {
        if (!a.Shape.IsSquare) throw new InvalidOperationException("MatPow of a non-square matrix");
        A = a;
        K = k;
    }

    /// <summary>The square matrix raised to the power.</summary>
    public Expr A { get; }
    /// <summary>The integer exponent; negative powers are powers of the inverse.</summary>
    public int K { get; }
    /// <summary>The matrix's (square) shape.</summary>
    public override Shape Shape => A.Shape;
    /// <summary>The matrix.</summary>
    public override IReadOnlyList<Expr> Children => [A];
    /// <summary>The same power of the new matrix.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new MatPow(c[0], K);
    /// <summary>Hashes the node kind with the matrix and exponent.</summary>
    protected override int ComputeHash() => HashCode.Combine(11, A, K);
    /// <summary>Equal when the exponents agree and the matrices are equal.</summary>
    protected override bool EqualsCore(Expr other) => other is MatPow p && p.K == K && p.A.Equals(A);
}

/// <summary>The transpose X' of a vector or matrix.</summary>
public sealed class Transpose(Expr x) : Expr
{
    /// <summary>The operand transposed.</summary>
    public Expr X { get; } = x;
    /// <summary>The operand's shape with rows and columns swapped.</summary>
    public override Shape Shape => X.Shape.Transposed;
    /// <summary>The operand.</summary>
    public override IReadOnlyList<Expr> Children => [X];
    /// <summary>The transpose of the new operand.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Transpose(c[0]);
    /// <summary>Hashes the node kind with the operand.</summary>
    protected override int ComputeHash() => HashCode.Combine(12, X);
    /// <summary>Equal when the operands are equal.</summary>
    protected override bool EqualsCore(Expr other) => ((Transpose)other).X.Equals(X);
}

/// <summary>A call of a function from the op table.</summary>
public sealed class Call : Expr
{
    /// <summary>A call of <paramref name="op"/> on <paramref name="args"/>; the op computes (and checks) the result shape.</summary>
    public Call(FunctionOp op, IReadOnlyList<Expr> args)
    {
        Op = op;
        Args = args;
        Shape = op.ResultShape(args.Select(a => a.Shape).ToArray());
    }

    /// <summary>A call of the one-argument function <paramref name="op"/> on <paramref name="arg"/>.</summary>
    public Call(FunctionOp op, Expr arg) : this(op, [arg]) { }

    /// <summary>The function called.</summary>
    public FunctionOp Op { get; }
    /// <summary>The arguments, in order.</summary>
    public IReadOnlyList<Expr> Args { get; }
    /// <summary>The argument of a one-argument call (asking it of expm_frechet(A, E) is an error, never a silent first).</summary>
    public Expr Arg => Args.Count == 1 ? Args[0] : throw new InvalidOperationException($"{Op.Name} takes {Args.Count} arguments: read Args");
    /// <summary>The result shape, as the op computes it from the argument shapes.</summary>
    public override Shape Shape { get; }
    /// <summary>The arguments.</summary>
    public override IReadOnlyList<Expr> Children => Args;
    /// <summary>A call of the same function on the new arguments.</summary>
    public override Expr WithChildren(IReadOnlyList<Expr> c) => new Call(Op, c);
    /// <summary>Hashes the node kind with the function name and arguments.</summary>
    protected override int ComputeHash() => HashChildren(13 * 31 + Op.Name.GetHashCode(StringComparison.Ordinal), Args);
    /// <summary>Equal when the function is the same op and the arguments are equal.</summary>
    protected override bool EqualsCore(Expr other) => other is Call c && ReferenceEquals(c.Op, Op) && SameChildren(c.Args, Args);
}
