using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Ops;

/// <summary>
/// A primary matrix function f (v1.6: expm, logm, sqrtm) with its Fréchet derivative f_frechet(X, E) = L_f(X, E) =
/// d/dt f(X + tE) at t = 0. The differential d f(X) = f_frechet(X, dX) is written in the language, so a gradient through
/// f is an expression that prints, reads back and evaluates: ∇_A tr(f(A)*B) = f_frechet(A', B'), because the adjoint of
/// E ↦ L_f(X, E) in ⟨·,·⟩ is G ↦ L_f(X', G) for every f with real Taylor coefficients (for f(x) = x^k, ⟨G, Σ X^i E
/// X^(k-1-i)⟩ = ⟨Σ X'^i G X'^(k-1-i), E⟩, and so for power series and their analytic continuation). The values:
/// <see cref="MatrixExponential"/>, <see cref="MatrixRootLog"/>.
/// </summary>
public sealed class PrimaryMatrixFunction : FunctionOp
{
    private readonly Func<Tensor, IBlas, Tensor> _value;
    private readonly Func<Expr, Expr> _derivative;
    private readonly Func<Expr, Expr?>? _rewrite;
    private readonly string _latex;
    private readonly PointDomain _points;

    /// <summary>A primary matrix function and its Fréchet derivative op.</summary>
    /// <param name="name">The function's name in the language (expm, logm, sqrtm).</param>
    /// <param name="summary">One line for help texts.</param>
    /// <param name="latex">The LaTeX operator name of f.</param>
    /// <param name="frechetLatex">The subscript of L in the LaTeX of the Fréchet derivative.</param>
    /// <param name="value">The numeric value f(X) through a BLAS backend.</param>
    /// <param name="frechet">The numeric Fréchet derivative L_f(X, E) through a BLAS backend.</param>
    /// <param name="derivative">f'(X) as an expression (<see cref="DerivativeAt"/>).</param>
    /// <param name="points">Where random test points are drawn.</param>
    /// <param name="rewrite">The function's own identities (expm(0) = I), or null.</param>
    public PrimaryMatrixFunction(string name, string summary, string latex, string frechetLatex, Func<Tensor, IBlas, Tensor> value,
        Func<Tensor, Tensor, IBlas, Tensor> frechet, Func<Expr, Expr> derivative, PointDomain points, Func<Expr, Expr?>? rewrite = null)
        : base(name, Signature.SquareToSquare, summary)
    {
        (_value, _derivative, _rewrite, _latex, _points) = (value, derivative, rewrite, latex, points);
        Frechet = new FrechetDerivative(this, frechetLatex, frechet);
    }

    /// <summary>f_frechet, the op of f's Fréchet derivative.</summary>
    public FrechetDerivative Frechet { get; }

    /// <summary>f'(X) as an expression (expm(X), inv(X), inv(sqrtm(X))/2): L_f(X, E) = f'(X)*E where E commutes with X.</summary>
    public Expr DerivativeAt(Expr x) => _derivative(x);

    /// <summary>f(X) in LaTeX: the operator name with the argument in brackets.</summary>
    public override string Latex(string arg) => $"{_latex}\\left({arg}\\right)";
    /// <summary>f(X) through the managed BLAS backend.</summary>
    public override Tensor Evaluate(Tensor arg) => _value(arg, Blas.Managed);

    /// <summary>The value through a chosen backend (the compiled plans pass theirs).</summary>
    public Tensor Evaluate(Tensor arg, IBlas blas) => _value(arg, blas);

    /// <summary>d f(X) = f_frechet(X, dX).</summary>
    public override Expr Differential(Call node, Expr dArg) => new Call(Frechet, [node.Arg, dArg]);
    /// <summary>Where random points for the argument are drawn: any matrix for expm, SPD for logm and sqrtm.</summary>
    public override PointDomain PointDomain => _points;

    /// <summary>f(X') = f(X)' (a primary function commutes with transposition), and the op's own identities (expm(0) = I).</summary>
    public override Expr? Rewrite(IReadOnlyList<Expr> args) =>
        args[0] is Transpose t ? new Transpose(new Call(this, t.X)) : _rewrite?.Invoke(args[0]);

    /// <summary>"expm-rule", "logm-rule" or "sqrtm-rule".</summary>
    public override string RuleName => $"{Name}-rule";
    /// <summary>d f(X) = f_frechet(X, dX), in words.</summary>
    public override string RuleText => $"d {Name}(X) = {Frechet.Name}(X, dX), the Fréchet derivative of {Name} at X in the direction dX";
}

/// <summary>L_f(X, E), linear in E. Its derivative in X (a second derivative of f) is not given yet: an honest refusal.</summary>
public sealed class FrechetDerivative(PrimaryMatrixFunction of, string latex, Func<Tensor, Tensor, IBlas, Tensor> value)
    : FunctionOp(of.Name + "_frechet", Signature.SquarePair,
        $"{of.Name}_frechet(X, E): the Fréchet derivative of {of.Name} at X in the direction E (the upper right block of {of.Name}([X E; 0 X]))")
{
    /// <summary>The primary matrix function f this is the Fréchet derivative of.</summary>
    public PrimaryMatrixFunction Of { get; } = of;
    /// <summary>Two: the point X and the direction E.</summary>
    public override int Arity => 2;
    /// <summary>Refuses: the Fréchet derivative takes two arguments.</summary>
    public override string Latex(string arg) => throw new InvalidOperationException($"{Name} takes two arguments");
    /// <summary>L_f(X, E) in LaTeX.</summary>
    public override string Latex(IReadOnlyList<string> args) => $"L_{{{latex}}}\\left({args[0]}, {args[1]}\\right)";
    /// <summary>Refuses: the Fréchet derivative takes two arguments.</summary>
    public override Tensor Evaluate(Tensor arg) => throw new InvalidOperationException($"{Name} takes two arguments");
    /// <summary>L_f(X, E) through the managed BLAS backend.</summary>
    public override Tensor Evaluate(IReadOnlyList<Tensor> args) => value(args[0], args[1], Blas.Managed);

    /// <summary>The value through a chosen backend.</summary>
    public Tensor Evaluate(Tensor x, Tensor e, IBlas blas) => value(x, e, blas);

    /// <summary>Refuses: the Fréchet derivative takes two arguments (see <see cref="DifferentialOf"/>).</summary>
    public override Expr Differential(Call node, Expr dArg) => throw new InvalidOperationException($"{Name} takes two arguments");
    /// <summary>The points of f's argument.</summary>
    public override PointDomain PointDomain => Of.PointDomain;

    /// <summary>d L_f(X, E) = L_f(X, dE) for constant X; refuses a differential in X (a second derivative of f).</summary>
    public override Expr DifferentialOf(Call node, IReadOnlyList<Expr?> dArgs)
    {
        if (dArgs[0] is not null) throw SecondDerivative();
        return new Call(this, [node.Args[0], dArgs[1]!]);
    }

    /// <summary>The gradient in E: L_f(X', G); refuses the gradient in X (a second derivative of f).</summary>
    public override Expr AdjointOf(Call node, int index, Expr g) =>
        index == 1 ? new Call(this, [new Transpose(node.Args[0]), g]) : throw SecondDerivative();

    private NablaException SecondDerivative() => new(ErrorCodes.NotDifferentiable,
        $"the second derivative of {Of.Name} is not available yet: {Name}(X, E) is differentiated in E only, not in X (a Hessian through {Of.Name}, or a gradient of an expression with {Name} of the variable)");

    /// <summary>
    /// L(X, 0) = 0; L(X, c*I) = c*f'(X) (X commutes with I); L(X, E) = f'(X)*E where E is built from X alone, so that
    /// X and E commute: ∇ logdet(expm(A)) = expm_frechet(A', inv(expm(A))') = I, ∇ tr(logm(A)) = inv(A)'.
    /// </summary>
    public override Expr? Rewrite(IReadOnlyList<Expr> args)
    {
        var (x, e) = (args[0], args[1]);
        if (PrimaryRules.IsZero(e)) return e;
        if (e is Eye) return Of.DerivativeAt(x);
        if (e is Mul m && m.Factors.Count(f => !f.Shape.IsScalar) == 1 && m.Factors.Single(f => !f.Shape.IsScalar) is Eye)
            return new Mul([.. m.Factors.Where(f => f.Shape.IsScalar), Of.DerivativeAt(x)]);
        if (PrimaryRules.CommutesWith(e, x)) return new Mul([Of.DerivativeAt(x), e]);
        return null;
    }

    /// <summary>"expm_frechet-rule" and the like.</summary>
    public override string RuleName => $"{Name}-rule";
    /// <summary>d f_frechet(X, E) = f_frechet(X, dE) for constant X.</summary>
    public override string RuleText => $"d {Name}(X, E) = {Name}(X, dE) for constant X";
}

internal static class PrimaryRules
{
    public static bool IsZero(Expr e) => e is Num { Value: 0 } or Fill { Value: Num { Value: 0 } };

    private static Expr Transposed(Expr x) => x switch { Transpose t => t.X, Var { Symmetric: true } => x, _ => new Transpose(x) };

    /// <summary>Whether E is built from X alone by products, powers, inverses and primary functions (so X E = E X), transposes paired.</summary>
    public static bool CommutesWith(Expr e, Expr x, int depth = 0) => depth < 8 && e switch
    {
        _ when e.Equals(x) => true,
        Eye => true,
        Transpose t => CommutesWith(t.X, Transposed(x), depth + 1),
        MatPow mp => CommutesWith(mp.A, x, depth + 1),
        Call { Args.Count: 1 } c when c.Op is PrimaryMatrixFunction || ReferenceEquals(c.Op, Functions.Inv) => CommutesWith(c.Arg, x, depth + 1),
        Mul m => m.Factors.All(f => f.Shape.IsScalar ? f is Num : CommutesWith(f, x, depth + 1)),
        _ => false,
    };
}

public static partial class Functions
{
    /// <summary>expm, the matrix exponential, with derivative expm_frechet; expm(0) = I.</summary>
    public static readonly PrimaryMatrixFunction Expm = new("expm", "matrix exponential (scaling and squaring, Padé 13)",
        "\\operatorname{expm}", "\\exp", (a, b) => MatrixExponential.Expm(a, b), (a, e, b) => MatrixExponential.ExpmFrechet(a, e, b).Frechet,
        x => new Call(Expm!, x), PointDomain.Any,
        x => PrimaryRules.IsZero(x) ? new Eye(x.Shape.Rows!.Value) : null); // expm(0) = I

    /// <summary>logm, the principal matrix logarithm, with derivative logm_frechet; logm(I) = 0.</summary>
    public static readonly PrimaryMatrixFunction Logm = new("logm",
        "principal matrix logarithm (inverse scaling and squaring; no eigenvalue on the closed negative real axis)",
        "\\operatorname{logm}", "\\log", (a, b) => MatrixRootLog.Logm(a, b), (a, e, b) => MatrixRootLog.LogmFrechet(a, e, b),
        x => new Call(Inv, x), PointDomain.Spd,
        x => x is Eye ? new Fill(Num.Zero, x.Shape) : null); // logm(I) = 0

    /// <summary>sqrtm, the principal matrix square root, with derivative sqrtm_frechet; sqrtm(I) = I.</summary>
    public static readonly PrimaryMatrixFunction Sqrtm = new("sqrtm",
        "principal matrix square root (Denman–Beavers; no eigenvalue on the closed negative real axis)",
        "\\operatorname{sqrtm}", "\\sqrt{\\cdot}", (a, b) => MatrixRootLog.Sqrtm(a, b), (a, e, b) => MatrixRootLog.SqrtmFrechet(a, e, b),
        x => new Mul([new Num(0.5), new Call(Inv, new Call(Sqrtm!, x))]), PointDomain.Spd,
        x => x is Eye ? x : null); // sqrtm(I) = I

    /// <summary>expm_frechet(A, E), the Fréchet derivative of expm.</summary>
    public static FrechetDerivative ExpmFrechet => Expm.Frechet;
}
