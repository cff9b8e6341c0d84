using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Ops;

/// <summary>
/// expm(X) and its Fréchet derivative expm_frechet(X, E) = L(X, E) = d/dt expm(X + tE) at t = 0 (v1.6). The
/// differential d expm(X) = expm_frechet(X, dX) is written in the language, so a gradient through expm is an
/// expression that prints, reads back and evaluates: ∇_A tr(expm(A)*B) = expm_frechet(A', B'), because the adjoint of
/// E ↦ L(X, E) in ⟨·,·⟩ is G ↦ L(X', G) (L(X, E)' = L(X', E'), and ⟨G, L(X, E)⟩ = ⟨L(X', G), E⟩ from the integral
/// L(X, E) = ∫₀¹ e^(sX) E e^((1-s)X) ds). The values: <see cref="MatrixExponential"/>.
/// </summary>
public sealed class ExpmOp() : FunctionOp("expm", Signature.SquareToSquare, "matrix exponential (scaling and squaring, Padé 13)")
{
    public override string Latex(string arg) => $"\\operatorname{{expm}}\\left({arg}\\right)";
    public override Tensor Evaluate(Tensor arg) => MatrixExponential.Expm(arg);
    public override Expr Differential(Call node, Expr dArg) => new Call(Functions.ExpmFrechet, [node.Arg, dArg]);

    /// <summary>expm(X') = expm(X)' and expm(0) = I.</summary>
    public override Expr? Rewrite(IReadOnlyList<Expr> args) => args[0] switch
    {
        Transpose t => new Transpose(new Call(this, t.X)),
        var x when MatrixExponentialRules.IsZero(x) => new Eye(x.Shape.Rows!.Value),
        _ => null,
    };

    public override string RuleName => "expm-rule";
    public override string RuleText => "d expm(X) = expm_frechet(X, dX), the Fréchet derivative of expm at X in the direction dX";
}

/// <summary>L(X, E), linear in E. Its derivative in X (the second Fréchet derivative) is not given yet: an honest refusal.</summary>
public sealed class ExpmFrechetOp() : FunctionOp("expm_frechet", Signature.SquarePair,
    "expm_frechet(X, E): the Fréchet derivative of expm at X in the direction E (the upper right block of expm([X E; 0 X]))")
{
    public override int Arity => 2;
    public override string Latex(string arg) => throw new InvalidOperationException("expm_frechet takes two arguments");
    public override string Latex(IReadOnlyList<string> args) => $"L_{{\\exp}}\\left({args[0]}, {args[1]}\\right)";
    public override Tensor Evaluate(Tensor arg) => throw new InvalidOperationException("expm_frechet takes two arguments");
    public override Tensor Evaluate(IReadOnlyList<Tensor> args) => MatrixExponential.ExpmFrechet(args[0], args[1]).Frechet;
    public override Expr Differential(Call node, Expr dArg) => throw new InvalidOperationException("expm_frechet takes two arguments");

    public override Expr DifferentialOf(Call node, IReadOnlyList<Expr?> dArgs)
    {
        if (dArgs[0] is not null) throw SecondDerivative();
        return new Call(this, [node.Args[0], dArgs[1]!]);
    }

    public override Expr AdjointOf(Call node, int index, Expr g) =>
        index == 1 ? new Call(this, [new Transpose(node.Args[0]), g]) : throw SecondDerivative();

    /// <summary>
    /// L(X, 0) = 0; L(X, c*I) = c*expm(X) (X commutes with I); L(X, E) = expm(X)*E where E is built from X alone, so that
    /// the two factors of the integral ∫₀¹ e^(sX) E e^((1-s)X) ds meet: ∇ logdet(expm(A)) = expm_frechet(A', inv(expm(A))') = I.
    /// </summary>
    public override Expr? Rewrite(IReadOnlyList<Expr> args)
    {
        var (x, e) = (args[0], args[1]);
        if (MatrixExponentialRules.IsZero(e)) return e;
        if (e is Eye) return new Call(Functions.Expm, x);
        if (e is Mul m && m.Factors.Count(f => !f.Shape.IsScalar) == 1 && m.Factors.Single(f => !f.Shape.IsScalar) is Eye)
            return new Mul([.. m.Factors.Where(f => f.Shape.IsScalar), new Call(Functions.Expm, x)]);
        if (MatrixExponentialRules.CommutesWith(e, x)) return new Mul([new Call(Functions.Expm, x), e]);
        return null;
    }

    private static NablaException SecondDerivative() => new(ErrorCodes.NotDifferentiable,
        "the second derivative of expm is not available yet: expm_frechet(X, E) is differentiated in E only, not in X (a Hessian through expm, or a gradient of an expression with expm_frechet of the variable)");

    public override string RuleName => "expm-frechet-rule";
    public override string RuleText => "d expm_frechet(X, E) = expm_frechet(X, dE) for constant X";
}

internal static class MatrixExponentialRules
{
    public static bool IsZero(Expr e) => e is Num { Value: 0 } or Fill { Value: Num { Value: 0 } };

    private static Expr Transposed(Expr x) => x is Transpose t ? t.X : new Transpose(x);

    /// <summary>Whether E is built from X alone by products, powers, inverses and expm (so that X E = E X), transposes paired.</summary>
    public static bool CommutesWith(Expr e, Expr x, int depth = 0) => depth < 8 && e switch
    {
        _ when e.Equals(x) => true,
        Eye => true,
        Transpose t => CommutesWith(t.X, Transposed(x), depth + 1),
        MatPow mp => CommutesWith(mp.A, x, depth + 1),
        Call { Args.Count: 1 } c when ReferenceEquals(c.Op, Functions.Expm) || ReferenceEquals(c.Op, Functions.Inv) => CommutesWith(c.Arg, x, depth + 1),
        Mul m => m.Factors.All(f => f.Shape.IsScalar ? f is Num : CommutesWith(f, x, depth + 1)),
        _ => false,
    };
}

public static partial class Functions
{
    public static readonly ExpmOp Expm = new();
    public static readonly ExpmFrechetOp ExpmFrechet = new();
}
