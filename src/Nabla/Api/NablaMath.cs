using Nabla.Calculus;
using Nabla.Diagnostics;
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

    /// <summary>
    /// Minimises this scalar objective over the variables <paramref name="wrt"/>, starting from their values in
    /// <paramref name="start"/> (which gives every variable a value; the others stay fixed), on the value and gradient
    /// Nabla derives and compiles (and the Hessian, for <see cref="Optimization.Method.Newton"/>). The result says why it
    /// stopped; only <see cref="Optimization.StopReason.Converged"/> is a minimiser.
    /// </summary>
    public Optimization.MinimizeResult Minimize(IReadOnlyList<string> wrt, IReadOnlyDictionary<string, Tensor> start,
        Optimization.MinimizeOptions? options = null, IBlas? backend = null)
    {
        var o = options ?? new Optimization.MinimizeOptions();
        if (!Expression.Shape.IsScalar)
            throw new NablaException(ErrorCodes.BadRequest, $"only a scalar objective can be minimised; this one is {Expression.Shape.Describe()}");
        if (wrt.Count == 0) throw new NablaException(ErrorCodes.BadRequest, "minimise over which variables? name at least one");
        if (wrt.Distinct().Count() != wrt.Count) throw new NablaException(ErrorCodes.BadRequest, "a variable is named twice among those to minimise over");
        foreach (var v in _bound.Variables)
            if (!start.ContainsKey(v.Name))
                throw new NablaException(ErrorCodes.BadRequest, $"no value for {v.Name}: give every variable a value (the start, for those minimised over)");
        var xs = wrt.Select(w => Derivation.WrtVariable(_bound, w, _options)).ToList();
        foreach (var x in xs)
        {
            if (x.Symmetric)
                throw new NablaException(ErrorCodes.Unsupported, $"{x.Name} is symmetric: minimising over a symmetric matrix (keeping it symmetric) is not supported yet; declare it a matrix");
            if (!start.ContainsKey(x.Name)) throw new NablaException(ErrorCodes.BadRequest, $"no starting value for {x.Name}");
        }
        if (o.Method == Optimization.Method.Newton)
            foreach (var x in xs)
                if (x.Shape.Kind == ShapeKind.Matrix)
                    throw new NablaException(ErrorCodes.Unsupported,
                        $"Newton's method works on scalars and vectors here: the Hessian with respect to the matrix {x.Name} has four indices (no matrix form to solve with); use Method.Lbfgs");
        // The unknowns' own tensors (copies of the start), rewritten in place before each evaluation.
        var values = new Dictionary<string, Tensor>(start);
        var own = xs.Select(x => { var t = start[x.Name]; return values[x.Name] = new Tensor(t.Kind, t.Rows, t.Cols, (double[])t.Data.Clone()); }).ToList();
        var offsets = new int[own.Count + 1];
        for (int i = 0; i < own.Count; i++) offsets[i + 1] = offsets[i] + own[i].Length;
        var gradients = xs.Select(x => Derivation.Compute(Expression, x, DerivativeKind.Gradient).Matrix).ToList();
        var plan = new CompiledPlan([Expression, .. gradients], backend, variables: _bound.Variables);
        void Bind(ReadOnlySpan<double> x)
        {
            for (int i = 0; i < own.Count; i++) x[offsets[i]..offsets[i + 1]].CopyTo(own[i].Data);
        }
        double Fg(ReadOnlySpan<double> x, Span<double> g)
        {
            Bind(x);
            if (own.Count == 1) return plan.ValueAndGradient(values, g);
            var r = plan.Evaluate(values);
            for (int i = 0; i < own.Count; i++) r[i + 1].Data.CopyTo(g[offsets[i]..offsets[i + 1]]);
            return r[0].ScalarValue;
        }
        Optimization.Minimizer.HessianAt? hessian = null;
        if (o.Method == Optimization.Method.Newton)
        {
            // The Hessian in blocks: each variable's own, and above the diagonal the Jacobian of one gradient with
            // respect to another variable (the mixed second derivatives), mirrored below; one plan for them all.
            var blocks = new List<(int I, int J)>();
            var exprs = new List<Expr>();
            for (int i = 0; i < xs.Count; i++)
                for (int j = i; j < xs.Count; j++)
                {
                    var d = i == j ? Derivation.Compute(Expression, xs[i], DerivativeKind.Hessian) : Derivation.Compute(gradients[i], xs[j], DerivativeKind.Jacobian);
                    if (d.Result is null)
                        throw new NablaException(ErrorCodes.Unsupported,
                            $"the {(i == j ? $"Hessian with respect to {xs[i].Name}" : $"second derivative across {xs[i].Name} and {xs[j].Name}")} has only an index form here; use Method.Lbfgs");
                    blocks.Add((i, j));
                    exprs.Add(d.Result);
                }
            var hplan = new CompiledPlan(exprs, backend, variables: _bound.Variables);
            int total = offsets[^1];
            hessian = (x, h) =>
            {
                Bind(x);
                var parts = hplan.Evaluate(values);
                for (int b = 0; b < blocks.Count; b++)
                {
                    var (i, j) = blocks[b];
                    int ni = offsets[i + 1] - offsets[i], nj = offsets[j + 1] - offsets[j];
                    var data = parts[b].Data;
                    for (int r = 0; r < ni; r++)
                        for (int c = 0; c < nj; c++)
                        {
                            double v = data[r * nj + c];
                            h[(offsets[i] + r) * total + offsets[j] + c] = v;
                            h[(offsets[j] + c) * total + offsets[i] + r] = v;
                        }
                }
            };
        }
        Optimization.Minimizer.HessianTimes? hessianTimes = null;
        if (o.Method == Optimization.Method.NewtonCg)
        {
            // H·v without H: the gradient with respect to x_i of Σ_j <∇_j f, v_j> is Σ_j H_ij v_j (H is symmetric).
            var taken = new HashSet<string>(_bound.Variables.Select(v => v.Name));
            var vs = xs.Select((x, i) => { string name = "v" + i; while (taken.Contains(name)) name += "_"; taken.Add(name); return new Var(name, x.Shape); }).ToList();
            Expr product = xs.Count == 1 ? Ops.E.Inner(gradients[0], vs[0]) : new Add([.. xs.Select((_, j) => Ops.E.Inner(gradients[j], vs[j]))]);
            var hvPlan = new CompiledPlan([.. xs.Select(x => Derivation.Compute(product, x, DerivativeKind.Gradient).Matrix)], backend, variables: [.. _bound.Variables, .. vs]);
            var vOwn = vs.Select((v, i) => values[v.Name] = new Tensor(own[i].Kind, own[i].Rows, own[i].Cols, new double[own[i].Length])).ToList();
            hessianTimes = (x, v, hv) =>
            {
                Bind(x);
                for (int i = 0; i < vOwn.Count; i++) v[offsets[i]..offsets[i + 1]].CopyTo(vOwn[i].Data);
                var r = hvPlan.Evaluate(values);
                for (int i = 0; i < r.Length; i++) r[i].Data.CopyTo(hv[offsets[i]..offsets[i + 1]]);
            };
        }
        var x0 = new double[offsets[^1]];
        for (int i = 0; i < own.Count; i++) own[i].Data.CopyTo(x0, offsets[i]);
        double[]? Bounds(IReadOnlyDictionary<string, double>? given, double none)
        {
            if (given is null || given.Count == 0) return null;
            foreach (var name in given.Keys)
                if (!wrt.Contains(name)) throw new NablaException(ErrorCodes.BadRequest, $"a bound is given for {name}, which is not among the variables minimised over");
            var b = new double[x0.Length];
            for (int i = 0; i < own.Count; i++)
                Array.Fill(b, given.TryGetValue(xs[i].Name, out var v) ? v : none, offsets[i], offsets[i + 1] - offsets[i]);
            return b;
        }
        var lower = Bounds(o.Lower, double.NegativeInfinity);
        var upper = Bounds(o.Upper, double.PositiveInfinity);
        if ((lower is not null || upper is not null) && o.Method is Optimization.Method.Newton or Optimization.Method.NewtonCg)
            throw new NablaException(ErrorCodes.Unsupported, "Newton's method does not take bounds here: use Method.Lbfgs (projected) or GradientDescent");
        if (lower is not null && upper is not null)
            for (int i = 0; i < lower.Length; i++)
                if (!(lower[i] <= upper[i])) throw new NablaException(ErrorCodes.BadRequest, $"a lower bound ({lower[i]}) is above its upper bound ({upper[i]})");
        var run = Optimization.Minimizer.Run(Fg, x0, o, hessian, lower, upper, hessianTimes);
        var result = new Dictionary<string, Tensor>();
        for (int i = 0; i < own.Count; i++)
            result[xs[i].Name] = new Tensor(own[i].Kind, own[i].Rows, own[i].Cols, run.X[offsets[i]..offsets[i + 1]]);
        return new Optimization.MinimizeResult(result, run.Value, run.GradientNorm, run.Iterations, run.Evaluations, run.Time, run.Reason, run.Message);
    }

    /// <summary>Evaluates with the reference interpreter (allocates; for checking and one-off values).</summary>
    public Tensor Evaluate(IReadOnlyDictionary<string, Tensor> values) =>
        Evaluator.Evaluate(Expression, values, ExprQueries.Variables(Expression).Concat(_bound.Variables.Where(v => values.ContainsKey(v.Name))));

    /// <summary>The expression as Nabla prints it, e.g. <c>(A+A')*x</c>.</summary>
    public override string ToString() => TextPrinter.PrintResult(Expression);

    /// <summary>The expression in LaTeX.</summary>
    public string ToLatex() => LatexPrinter.Print(Expression);
}
