using Nabla.Calculus;
using Nabla.Api;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla;

/// <summary>
/// The library's entry point for programs: parse an expression, take derivatives, compile them, evaluate.
/// <code>
/// var loss = NablaMath.Parse("sum(softplus(-y.*(X*w)))");
/// var grad = loss.Gradient("w").Compile();
/// grad.Evaluate(values, gradientBuffer);   // no allocation per call
/// </code>
/// </summary>
public static class NablaMath
{
    /// <summary>
    /// Parses and types an expression. Undeclared names are typed by the naming convention (h–z vectors,
    /// A–Z matrices, a–g and Greek names scalars) unless the expression only types otherwise.
    /// </summary>
    /// <param name="text">The expression, e.g. <c>x'*A*x</c>.</param>
    /// <param name="types">Declared types by name: <c>scalar</c>, <c>vector(n)</c>, <c>matrix(m,n)</c>, <c>symmetric(n)</c>, …</param>
    public static Objective Parse(string text, IReadOnlyDictionary<string, string>? types = null)
    {
        var declarations = (types ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => VarType.Parse(kv.Value));
        var options = new BindOptions { Declarations = declarations, PreferScalar = true };
        var bound = Binder.Bind(text, options);
        return new Objective(bound, bound.Root, options);
    }

    /// <summary>The backend named "managed" (the default), "native" (OpenBLAS, else managed) or "auto".</summary>
    public static IBlas Backend(string name = "managed") => Blas.FromName(name);
}

/// <summary>A typed expression (a parsed objective, or a derivative of one) that can be derived, compiled and evaluated.</summary>
public sealed class Objective
{
    private readonly BoundExpression _bound;
    private readonly BindOptions _options;

    internal Objective(BoundExpression bound, Expr expression, BindOptions options)
    {
        _bound = bound;
        _options = options;
        Expression = expression;
    }

    /// <summary>The expression (simplified, for a derivative).</summary>
    public Expr Expression { get; }

    /// <summary>The expression's shape, with symbolic dimensions.</summary>
    public Shape Shape => Expression.Shape;

    /// <summary>The variables of the parsed expression and their types.</summary>
    public IReadOnlyList<Var> Variables => _bound.Variables;

    /// <summary>The gradient with respect to a variable, in matrix form (the objective must be a scalar).</summary>
    public Objective Gradient(string wrt) => Derive(wrt, DerivativeKind.Gradient);

    /// <summary>The Jacobian with respect to a variable, in matrix form.</summary>
    public Objective Jacobian(string wrt) => Derive(wrt, DerivativeKind.Jacobian);

    /// <summary>The Hessian with respect to a variable, in matrix form (the objective must be a scalar).</summary>
    public Objective Hessian(string wrt) => Derive(wrt, DerivativeKind.Hessian);

    private Objective Derive(string wrt, DerivativeKind kind)
    {
        var x = Derivation.WrtVariable(_bound, wrt, _options);
        return new Objective(_bound, Derivation.Compute(Expression, x, kind).Matrix, _options);
    }

    /// <summary>Compiles the expression for repeated evaluation (on the managed backend unless one is given).</summary>
    public CompiledPlan Compile(IBlas? backend = null) => new([Expression], backend, variables: _bound.Variables);

    /// <summary>
    /// Compiles the objective together with its gradient, sharing their work (and fusing the passes over
    /// large matrices): <see cref="CompiledPlan.ValueAndGradient"/> then gives both in one call.
    /// </summary>
    public CompiledPlan CompileWithGradient(string wrt, IBlas? backend = null) =>
        new([Expression, Gradient(wrt).Expression], backend, variables: _bound.Variables);

    /// <summary>Evaluates with the reference interpreter (allocates; for checking and one-off values).</summary>
    public Tensor Evaluate(IReadOnlyDictionary<string, Tensor> values) =>
        Evaluator.Evaluate(Expression, values, ExprQueries.Variables(Expression).Concat(_bound.Variables.Where(v => values.ContainsKey(v.Name))));

    /// <summary>The expression as Nabla prints it, e.g. <c>(A+A')*x</c>.</summary>
    public override string ToString() => TextPrinter.PrintResult(Expression);

    /// <summary>The expression in LaTeX.</summary>
    public string ToLatex() => LatexPrinter.Print(Expression);
}
