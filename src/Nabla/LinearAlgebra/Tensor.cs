using Nabla.Expressions;

namespace Nabla.LinearAlgebra;

/// <summary>
/// A dense value of doubles, row-major: a scalar (1×1), a vector (n×1), a row vector (1×n) or a matrix.
/// </summary>
public sealed class Tensor
{
    /// <summary>A tensor of <paramref name="kind"/> and <paramref name="rows"/>×<paramref name="cols"/> that wraps the row-major <paramref name="data"/>; the length must be rows·cols.</summary>
    public Tensor(ShapeKind kind, int rows, int cols, double[] data)
    {
        if (data.Length != rows * cols) throw new ArgumentException("data length does not match the shape");
        Kind = kind;
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>Whether this is a scalar, vector, row vector or matrix.</summary>
    public ShapeKind Kind { get; }
    /// <summary>The number of rows (1 for a scalar or row vector).</summary>
    public int Rows { get; }
    /// <summary>The number of columns (1 for a scalar or vector).</summary>
    public int Cols { get; }
    /// <summary>The entries, row-major (not a copy).</summary>
    public double[] Data { get; }
    /// <summary>The number of entries.</summary>
    public int Length => Data.Length;

    /// <summary>The entry in row <paramref name="i"/> and column <paramref name="j"/>.</summary>
    public double this[int i, int j]
    {
        get => Data[i * Cols + j];
        set => Data[i * Cols + j] = value;
    }

    /// <summary>The value of a scalar; throws for any other kind.</summary>
    public double ScalarValue => Kind == ShapeKind.Scalar ? Data[0] : throw new InvalidOperationException("not a scalar");

    /// <summary>A scalar value.</summary>
    public static Tensor Scalar(double v) => new(ShapeKind.Scalar, 1, 1, [v]);

    /// <summary>A column vector that wraps <paramref name="v"/> (no copy: later writes to the array are seen).</summary>
    public static Tensor Vector(params double[] v) => new(ShapeKind.Vector, v.Length, 1, v);

    /// <summary>
    /// A <paramref name="rows"/>×<paramref name="cols"/> matrix that wraps the row-major <paramref name="data"/> without
    /// copying it (later writes to the array are seen); the length must be rows·cols.
    /// </summary>
    public static Tensor Matrix(double[] data, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || cols < 0 || (long)rows * cols != data.Length)
            throw new ArgumentException($"a {rows}×{cols} matrix needs {(long)rows * cols} values, not {data.Length}");
        return new(ShapeKind.Matrix, rows, cols, data);
    }

    /// <summary>A matrix with a copy of the entries of <paramref name="m"/>.</summary>
    public static Tensor Matrix(double[,] m)
    {
        int r = m.GetLength(0), c = m.GetLength(1);
        var d = new double[r * c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) d[i * c + j] = m[i, j];
        return new Tensor(ShapeKind.Matrix, r, c, d);
    }

    /// <summary>A tensor of the given kind and size with every entry 0.</summary>
    public static Tensor Zeros(ShapeKind kind, int rows, int cols) => new(kind, rows, cols, new double[rows * cols]);

    /// <summary>A tensor of the given kind and size with every entry <paramref name="v"/>.</summary>
    public static Tensor Filled(ShapeKind kind, int rows, int cols, double v)
    {
        var d = new double[rows * cols];
        Array.Fill(d, v);
        return new Tensor(kind, rows, cols, d);
    }

    /// <summary>The n×n identity matrix.</summary>
    public static Tensor Identity(int n)
    {
        var t = Zeros(ShapeKind.Matrix, n, n);
        for (int i = 0; i < n; i++) t[i, i] = 1;
        return t;
    }

    /// <summary>A new tensor of the same kind and size with <paramref name="f"/> applied to every entry.</summary>
    public Tensor Map(Func<double, double> f)
    {
        var d = new double[Data.Length];
        for (int i = 0; i < d.Length; i++) d[i] = f(Data[i]);
        return new Tensor(Kind, Rows, Cols, d);
    }

    /// <summary>A tensor of the same kind and size that wraps <paramref name="data"/>.</summary>
    public Tensor Like(double[] data) => new(Kind, Rows, Cols, data);

    /// <summary>The transpose: a vector becomes a row vector and back (sharing the data), a matrix is copied transposed.</summary>
    public Tensor Transposed()
    {
        var kind = Kind switch { ShapeKind.Vector => ShapeKind.Row, ShapeKind.Row => ShapeKind.Vector, var k => k };
        if (Rows == 1 || Cols == 1) return new Tensor(kind, Cols, Rows, Data);
        var d = new double[Data.Length];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++) d[j * Rows + i] = Data[i * Cols + j];
        return new Tensor(kind, Cols, Rows, d);
    }

    /// <summary>Largest absolute entry.</summary>
    public double MaxAbs()
    {
        double m = 0;
        foreach (var v in Data) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    /// <summary>The value of a scalar; the size of anything else, as [rows x cols].</summary>
    public override string ToString() => Kind switch
    {
        ShapeKind.Scalar => Data[0].ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        _ => $"[{Rows}x{Cols}]",
    };
}
