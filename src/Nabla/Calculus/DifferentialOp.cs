using Nabla.Checking;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Ops;
using Nabla.LinearAlgebra;

namespace Nabla.Calculus;

/// <summary>
/// d(u), the differential of u, not yet expanded: a marker inside the expressions of a derivation.
/// It is not part of the language (not in <see cref="Functions.ByName"/>) and has no numeric kernel;
/// the step check evaluates it as a directional derivative.
/// </summary>
public sealed class DifferentialOp : FunctionOp
{
    /// <summary>The one instance.</summary>
    public static readonly DifferentialOp D = new();

    private DifferentialOp() : base("d", Signature.Elementwise, "the differential") { }

    /// <summary>\mathrm{d} applied to the argument.</summary>
    public override string Latex(string arg) => $"\\mathrm{{d}}\\left({arg}\\right)";

    /// <summary>Refuses: d(u) has no numeric kernel (the step check evaluates it as a directional derivative).</summary>
    public override Tensor Evaluate(Tensor arg) => throw new InvalidOperationException("d(u) is evaluated by StepCheck");

    /// <summary>Refuses: d(u) is a marker, not differentiated.</summary>
    public override Expr Differential(Call node, Expr dArg) => throw new InvalidOperationException("d(u) is not differentiated");

    /// <summary>"differential".</summary>
    public override string RuleName => "differential";

    /// <summary>"d(u)".</summary>
    public override string RuleText => "d(u)";

    /// <summary>d(u), the marker of the differential of <paramref name="u"/>.</summary>
    public static Expr Of(Expr u) => new Call(D, u);

    /// <summary>Whether <paramref name="e"/> is a d(u) marker.</summary>
    public static bool IsD(Expr e) => e is Call { Op: DifferentialOp };
}
