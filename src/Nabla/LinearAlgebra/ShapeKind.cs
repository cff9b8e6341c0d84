namespace Nabla.LinearAlgebra;

/// <summary>The four kinds of value: a scalar, a column vector, a row vector, a matrix (of an expression and of a <see cref="Tensor"/>).</summary>
public enum ShapeKind { Scalar, Vector, Row, Matrix }
