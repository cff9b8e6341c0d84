namespace Nabla.LinearAlgebra;

/// <summary>The four kinds of value: a scalar, a column vector, a row vector, a matrix (of an expression and of a <see cref="Tensor"/>).</summary>
public enum ShapeKind
{
    /// <summary>A scalar (1×1).</summary>
    Scalar,
    /// <summary>A column vector (n×1).</summary>
    Vector,
    /// <summary>A row vector (1×n), a transposed vector.</summary>
    Row,
    /// <summary>A matrix (m×n).</summary>
    Matrix,
}
