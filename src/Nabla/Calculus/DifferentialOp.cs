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
    public static readonly DifferentialOp D = new();

    private DifferentialOp() : base("d", Signature.Elementwise, "the differential") { }

    public override string Latex(string arg) => $"\\mathrm{{d}}\\left({arg}\\right)";

    public override Tensor Evaluate(Tensor arg) => throw new InvalidOperationException("d(u) is evaluated by StepCheck");

    public override Expr Differential(Call node, Expr dArg) => throw new InvalidOperationException("d(u) is not differentiated");

    public override string RuleName => "differential";

    public override string RuleText => "d(u)";

    public static Expr Of(Expr u) => new Call(D, u);

    public static bool IsD(Expr e) => e is Call { Op: DifferentialOp };
}
