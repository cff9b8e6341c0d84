using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Ops;

/// <summary>Terse raw constructors for writing derivative rules. They do not simplify.</summary>
public static class E
{
    /// <summary>The constant v.</summary>
    public static Expr N(double v) => new Num(v);
    /// <summary>x'.</summary>
    public static Expr T(Expr x) => new Transpose(x);
    /// <summary>-x.</summary>
    public static Expr Neg(Expr x) => new Neg(x);
    /// <summary>The product of the factors, left to right.</summary>
    public static Expr Mul(params Expr[] f) => new Mul(f);
    /// <summary>The sum of the terms.</summary>
    public static Expr Add(params Expr[] t) => new Add(t);
    /// <summary>x / s for a scalar s.</summary>
    public static Expr Div(Expr x, Expr s) => new Div(x, s);
    /// <summary>x to the scalar power p (element-wise for a non-scalar x).</summary>
    public static Expr Pow(Expr x, Expr p) => new Power(x, p);
    /// <summary>x to the constant power p (element-wise for a non-scalar x).</summary>
    public static Expr Pow(Expr x, double p) => new Power(x, new Num(p));
    /// <summary>op(x).</summary>
    public static Expr Call(FunctionOp op, Expr x) => new Call(op, x);

    /// <summary>Entry-wise product; a scalar on either side becomes an ordinary product.</summary>
    public static Expr Had(Expr a, Expr b) =>
        a.Shape.IsScalar || b.Shape.IsScalar ? new Mul([a, b]) : new Elementwise(ElementwiseOp.Mul, a, b);

    /// <summary>Entry-wise quotient.</summary>
    public static Expr HDiv(Expr a, Expr b) =>
        b.Shape.IsScalar ? new Div(a, b) : new Elementwise(ElementwiseOp.Div, a, b);

    /// <summary>A scalar spread to a shape (the scalar itself when the shape is scalar).</summary>
    public static Expr Fill(Expr scalar, Shape shape) => shape.IsScalar ? scalar : new Fill(scalar, shape);

    /// <summary>The inner product ⟨a, b⟩ of two expressions of one shape, written as a scalar expression.</summary>
    public static Expr Inner(Expr a, Expr b) => a.Shape.Kind switch
    {
        ShapeKind.Scalar => new Mul([a, b]),
        ShapeKind.Vector => new Mul([new Transpose(a), b]),
        ShapeKind.Row => new Mul([a, new Transpose(b)]),
        _ => new Call(Functions.Tr, new Mul([new Transpose(a), b])),
    };
}
