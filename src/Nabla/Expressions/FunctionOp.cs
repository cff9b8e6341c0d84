using Nabla.LinearAlgebra;

namespace Nabla.Expressions;

/// <summary>How a function's argument and result shapes relate; the binder checks arguments by it.</summary>
public enum Signature
{
    /// <summary>Any shape to the same shape, entry by entry.</summary>
    Elementwise,
    /// <summary>A square matrix to a scalar (tr, det, logdet).</summary>
    SquareToScalar,
    /// <summary>A square matrix to a square matrix of the same size (inv).</summary>
    SquareToSquare,
    /// <summary>A vector to its diagonal matrix, or a square matrix to the vector of its diagonal.</summary>
    Diag,
    /// <summary>Any shape to a scalar (sum, norms).</summary>
    AnyToScalar,
    /// <summary>A vector to a vector of the same size (softmax).</summary>
    VectorToVector,
    /// <summary>A vector to a scalar (logsumexp).</summary>
    VectorToScalar,
    /// <summary>(v1.6) Two square matrices of one size to a matrix of that size (expm_frechet(A, E)).</summary>
    SquarePair,
}

/// <summary>Where random test points for an op's argument are drawn (the numeric checks keep inside the domain with it).</summary>
public enum PointDomain
{
    /// <summary>Any values.</summary>
    Any,
    /// <summary>Positive entries (log, sqrt; arcsin and arccos take them in (0, 1)).</summary>
    Positive,
    /// <summary>A well-conditioned symmetric positive definite matrix (inv, det, logdet).</summary>
    Spd,
}

/// <summary>
/// One entry of the op table: everything about one function side by side — shape rule, derivative
/// rule (an expression, never a closure over numbers), printing forms and numeric kernel.
/// </summary>
public abstract class FunctionOp(string name, Signature signature, string summary)
{
    /// <summary>The function's name in the language.</summary>
    public string Name { get; } = name;
    /// <summary>How the argument and result shapes relate.</summary>
    public Signature Signature { get; } = signature;

    /// <summary>One line for help texts.</summary>
    public string Summary { get; } = summary;

    /// <summary>How many arguments a call takes (1 but for expm_frechet(A, E)).</summary>
    public virtual int Arity => 1;

    /// <summary>The result shape of a call on arguments of these shapes; an internal error when they do not fit the signature.</summary>
    public Shape ResultShape(IReadOnlyList<Shape> args)
    {
        if (args.Count != Arity) throw new InvalidOperationException($"{Name} takes {Arity} argument{(Arity == 1 ? "" : "s")}");
        var a = args[0];
        if (Signature == Signature.SquarePair)
            return a.IsSquare && args[1] == a ? a : throw new InvalidOperationException($"{Name} of {a} and {args[1]}");
        return Signature switch
        {
            Signature.Elementwise => a,
            Signature.SquareToScalar or Signature.AnyToScalar or Signature.VectorToScalar => Shape.Scalar,
            Signature.SquareToSquare => a.IsSquare ? a : throw new InvalidOperationException($"{Name} of non-square {a}"),
            Signature.VectorToVector => a.Kind == ShapeKind.Vector ? a : throw new InvalidOperationException($"{Name} of {a}"),
            Signature.Diag => a.Kind switch
            {
                ShapeKind.Vector => Shape.Matrix(a.Rows!.Value, a.Rows!.Value),
                ShapeKind.Matrix when a.IsSquare => Shape.Vector(a.Rows!.Value),
                _ => throw new InvalidOperationException($"diag of {a}"),
            },
            _ => throw new InvalidOperationException(Signature.ToString()),
        };
    }

    /// <summary>LaTeX of a call, given the LaTeX of the argument (already grouped where needed).</summary>
    public abstract string Latex(string arg);

    /// <summary>
    /// An op LaTeX writes as a superscript on its (grouped) argument, binding like a power: inv(X) as X^{-1}.
    /// Null for the others, which <see cref="Latex(string)"/> writes.
    /// </summary>
    public virtual string? LatexSuperscript => null;

    /// <summary>The superscript of the transposed call, where it has one: inv(X)' as X^{-T}.</summary>
    public virtual string? LatexTransposedSuperscript => null;

    /// <summary>Whether <see cref="Latex(string)"/> brackets the argument itself (so the printer need not).</summary>
    public virtual bool LatexBracketsArgument => false;

    /// <summary>The numeric kernel.</summary>
    public abstract Tensor Evaluate(Tensor arg);

    /// <summary>The numeric kernel of a call with all its arguments (the one-argument kernel unless the op takes more).</summary>
    public virtual Tensor Evaluate(IReadOnlyList<Tensor> args) => Evaluate(args[0]);

    /// <summary>LaTeX of a call with all its arguments' LaTeX.</summary>
    public virtual string Latex(IReadOnlyList<string> args) => Latex(args[0]);

    /// <summary>
    /// The differential of a call of any arity, given each argument's differential (null where the argument is
    /// constant). One-argument ops state <see cref="Differential"/>; an op of more arguments overrides this and may
    /// refuse (<c>not_differentiable</c>) for an argument whose derivative it does not have.
    /// </summary>
    public virtual Expr DifferentialOf(Call node, IReadOnlyList<Expr?> dArgs) => Differential(node, dArgs[0]!);

    /// <summary>
    /// For an op of more than one argument: the gradient with respect to argument <paramref name="index"/> given the
    /// gradient <paramref name="g"/> with respect to the value (one-argument ops transpose their differential instead).
    /// </summary>
    public virtual Expr AdjointOf(Call node, int index, Expr g) =>
        throw new InvalidOperationException($"{Name} takes one argument: its adjoint is its differential transposed");

    /// <summary>
    /// The one derivative rule of the op: its differential d f(X), linear in <paramref name="dArg"/> = dX, written as an
    /// expression (<c>d det(X) = det(X) tr(inv(X) dX)</c>). Gradients (by transposing it), Jacobians, Hessians and the
    /// steps of a derivation all follow from it.
    /// </summary>
    public abstract Expr Differential(Call node, Expr dArg);

    /// <summary>
    /// For a linear op only (tr, sum, diag): its transpose, the gradient with respect to the argument given the gradient
    /// <paramref name="g"/> with respect to the value. Other ops' gradients are their differentials transposed.
    /// </summary>
    public virtual Expr? TransposeLinear(Call node, Expr g) => null;

    /// <summary>
    /// The op's sign fact: what its value (each entry, for element-wise and vector-valued ops) can be, given what its
    /// argument's entries can be — exp(u) ∈ (0, ∞), sigmoid(u) ∈ (0, 1), sqrt(u) ≥ 0. The convexity certificate's range
    /// analysis reasons with it; <see cref="Interval.All"/> where nothing is known.
    /// </summary>
    public virtual Interval Image(Interval argument) => Interval.All;

    /// <summary>
    /// The op's own algebraic identities, applied by the simplifier to a call whose arguments are already simplified:
    /// the rewritten expression in raw constructors (the simplifier brings it to its canonical form), or null where no
    /// identity applies. Each rewrite must make the expression simpler, so that applying them ends.
    /// </summary>
    public virtual Expr? Rewrite(IReadOnlyList<Expr> args) => null;

    /// <summary>Where random points for the argument are drawn.</summary>
    public virtual PointDomain PointDomain => PointDomain.Any;

    /// <summary>Whether the op is linear (it then has <see cref="TransposeLinear"/>).</summary>
    public virtual bool IsLinear => false;

    /// <summary>The name of the rule <see cref="Differential"/> states, for step-by-step derivations.</summary>
    public abstract string RuleName { get; }

    /// <summary>The rule in words and symbols, e.g. <c>d det(X) = det(X) tr(inv(X) dX)</c>.</summary>
    public abstract string RuleText { get; }
}
