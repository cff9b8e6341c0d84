using Nabla.LinearAlgebra;
namespace Nabla.Expressions;

/// <summary>A dimension: a known size, or a symbol such as <c>n</c>.</summary>
public readonly record struct Dim(string Name, int Size = -1)
{
    /// <summary>Whether the size is a number rather than a symbol.</summary>
    public bool IsKnown => Size >= 0;

    /// <summary>The dimension of a known size, named by its number.</summary>
    public static Dim Of(int size) => new(size.ToString(System.Globalization.CultureInfo.InvariantCulture), size);

    /// <summary>A symbolic dimension such as n, of unknown size.</summary>
    public static Dim Symbol(string name) => new(name);

    /// <summary>The name: the symbol, or the size's digits.</summary>
    public override string ToString() => Name;
}


/// <summary>
/// The shape of a value. A missing dimension is a structural 1: a vector is (n, -), a row vector
/// (a transposed vector) is (-, n), a scalar is (-, -). Products and transposes follow from that.
/// </summary>
public readonly record struct Shape(Dim? Rows, Dim? Cols)
{
    /// <summary>The shape of a scalar: no rows, no columns.</summary>
    public static readonly Shape Scalar = new(null, null);

    /// <summary>A column vector of n entries.</summary>
    public static Shape Vector(Dim n) => new(n, null);

    /// <summary>An m×n matrix.</summary>
    public static Shape Matrix(Dim m, Dim n) => new(m, n);

    /// <summary>Scalar, vector, row vector or matrix, by which dimensions are present.</summary>
    public ShapeKind Kind => (Rows, Cols) switch
    {
        (null, null) => ShapeKind.Scalar,
        (not null, null) => ShapeKind.Vector,
        (null, not null) => ShapeKind.Row,
        _ => ShapeKind.Matrix,
    };

    /// <summary>Whether both dimensions are missing.</summary>
    public bool IsScalar => Rows is null && Cols is null;

    /// <summary>Whether both dimensions are present and equal.</summary>
    public bool IsSquare => Rows is { } r && Cols is { } c && r == c;

    /// <summary>The shape of the transpose: rows and columns swapped.</summary>
    public Shape Transposed => new(Cols, Rows);

    /// <summary>The contract's type word: scalar, vector or matrix (a row vector is reported as a matrix 1×n).</summary>
    public string TypeName => Kind switch
    {
        ShapeKind.Scalar => "scalar",
        ShapeKind.Vector => "vector",
        _ => "matrix",
    };

    /// <summary>The dimensions as the protocol reports them: [], [n], [m, n] (a row vector is [1, n]).</summary>
    public IReadOnlyList<Dim> Dims => Kind switch
    {
        ShapeKind.Scalar => [],
        ShapeKind.Vector => [Rows!.Value],
        ShapeKind.Row => [Dim.Of(1), Cols!.Value],
        _ => [Rows!.Value, Cols!.Value],
    };

    /// <summary>The wording of error messages: <c>scalar</c>, <c>vector n</c>, <c>row vector n</c>, <c>matrix m×n</c>.</summary>
    public string Describe() => Kind switch
    {
        ShapeKind.Scalar => "scalar",
        ShapeKind.Vector => $"vector {Rows}",
        ShapeKind.Row => $"row vector {Cols}",
        _ => $"matrix {Rows}×{Cols}",
    };

    /// <summary>A person's description: <c>scalar</c>, <c>vector(n)</c>, <c>row vector(n)</c>, <c>matrix(m,n)</c>.</summary>
    public override string ToString() => Kind switch
    {
        ShapeKind.Scalar => "scalar",
        ShapeKind.Vector => $"vector({Rows})",
        ShapeKind.Row => $"row vector({Cols})",
        _ => $"matrix({Rows},{Cols})",
    };
}
