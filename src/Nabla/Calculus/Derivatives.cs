using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;
using Nabla.Simplify;

namespace Nabla.Calculus;

/// <summary>Which derivative is asked for.</summary>
public enum DerivativeKind
{
    /// <summary>The gradient of a scalar objective, of the variable's shape.</summary>
    Gradient,
    /// <summary>The Jacobian of a vector-valued (or scalar) objective.</summary>
    Jacobian,
    /// <summary>The Hessian: the second derivative of a scalar objective.</summary>
    Hessian,
}

/// <summary>The three derivatives, simplified: the gradient by reverse accumulation, Jacobians and Hessians forward.</summary>
public static class Derivatives
{
    /// <summary>The largest derivative, in nodes written out, that is printed.</summary>
    public const int MaxResultNodes = 50_000;

    /// <summary>The kind's name in the protocol: gradient, jacobian or hessian.</summary>
    public static string KindName(DerivativeKind k) => k.ToString().ToLowerInvariant();

    /// <summary>The kind a protocol name stands for; any other name is a bad request.</summary>
    public static DerivativeKind ParseKind(string s) => s switch
    {
        "gradient" => DerivativeKind.Gradient,
        "jacobian" => DerivativeKind.Jacobian,
        "hessian" => DerivativeKind.Hessian,
        _ => throw new NablaException(ErrorCodes.BadRequest, $"unknown derivative '{s}': use gradient, jacobian or hessian"),
    };

    /// <summary>Whether the derivative is a tensor of order 3 or 4 (no matrix form): a matrix or vector by a matrix, a matrix by a vector.</summary>
    public static bool NeedsIndexForm(Expr f, Var x, DerivativeKind kind)
    {
        var fs = kind == DerivativeKind.Hessian ? x.Shape : f.Shape; // a Hessian is the Jacobian of the gradient, which has x's shape
        if (kind == DerivativeKind.Gradient || (kind == DerivativeKind.Jacobian && f.Shape.IsScalar)) return false;
        if (x.Shape.IsScalar || fs.IsScalar) return false;
        return x.Shape.Kind == ShapeKind.Matrix || fs.Kind == ShapeKind.Matrix;
    }

    /// <summary>The simplified derivative of the objective with respect to <paramref name="x"/>.</summary>
    public static Expr Derive(Expr f, Var x, DerivativeKind kind, List<RuleApplication>? trace = null) => kind switch
    {
        DerivativeKind.Gradient => Simplifier.Simplify(Differentiator.Gradient(f, x, trace)),
        DerivativeKind.Jacobian => Jacobians.Jacobian(f, x),
        _ => Jacobians.Hessian(f, x),
    };
}
