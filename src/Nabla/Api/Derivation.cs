using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Simplify;
using Nabla.LinearAlgebra;

namespace Nabla.Api;

/// <summary>
/// One derivative of an objective: in matrix form (<see cref="Result"/>, <see cref="Text"/>) where one exists,
/// otherwise in index notation (<see cref="Index"/>); LaTeX either way, and the steps when asked.
/// </summary>
public sealed record DerivativeResult(
    string Wrt, DerivativeKind Kind, Expr? Result, Shape Shape, string? Text, string Latex,
    Tensor? Value = null, IReadOnlyList<RuleApplication>? Trace = null, Explain.Explanation? Steps = null,
    IndexForm? Index = null)
{
    /// <summary>The names a binding of the factored form must not take (the objective's); set by <see cref="Derivation.Compute"/>.</summary>
    internal IReadOnlySet<string>? ReservedNames { get; init; }

    private (Factored? Form, string? Text)? _factored;

    /// <summary>The result with its repeated subexpressions named (<see cref="Printing.Factored"/>), built when first asked for; null when nothing repeats.</summary>
    public Factored? Factored => FactoredForm().Form;

    /// <summary>The factored text, with constants sized as in <see cref="Text"/>; null when nothing repeats.</summary>
    public string? FactoredText => FactoredForm().Text;

    private (Factored? Form, string? Text) FactoredForm()
    {
        if (_factored is { } done) return done;
        if (Result is null || Text is null) return (_factored = (null, null)).Value;
        var f = Printing.Factored.Of([Result], ReservedNames ?? new HashSet<string>());
        // Constants are sized in the factored text where the expanded text needed them sized.
        return (_factored = f.HasBindings ? (f, f.Text(0, sizes: Text != TextPrinter.PrintResult(Result))) : (null, null)).Value;
    }

    /// <summary>
    /// The factored text (<c>… where t0 = …</c>) when the result repeats a subexpression worth a name and the factored
    /// text is the shorter; otherwise <see cref="Text"/>. It reads back as <see cref="Text"/> does.
    /// </summary>
    public string? Display => FactoredText is { } ft && Text is not null && ft.Length < Text.Length ? ft : Text;

    /// <summary>The dimensions of the result: the objective's, then the variable's where the result is a tensor.</summary>
    public IReadOnlyList<Dim> Dims => Index?.Dims ?? Shape.Dims;

    /// <summary>The matrix-form result; throws for a result that only has an index form.</summary>
    public Expr Matrix => Result ?? throw new InvalidOperationException($"the {Kind} with respect to {Wrt} has no matrix form; use Index");
}

/// <summary>The library's front door: bind, differentiate, simplify, print, evaluate.</summary>
public static class Derivation
{
    /// <summary>The variable to differentiate by: one of the expression's, a declared one, or (absent) one typed by the convention.</summary>
    public static Var WrtVariable(BoundExpression bound, string name, BindOptions options)
    {
        if (bound.Variable(name) is { } v) return v;
        if (string.IsNullOrEmpty(name) || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new NablaException(ErrorCodes.BadRequest, $"'{name}' is not a variable name");
        var kind = options.Declarations.TryGetValue(name, out var t) ? t.Kind
            : options.ConcreteShapes.TryGetValue(name, out var cs) ? VarType.KindOf(cs.Kind) : VarType.Convention(name);
        var fresh = Dim.Symbol("n_" + name);
        Dim D(string? text, Dim? concrete) => concrete ?? (text is null ? fresh : int.TryParse(text, out int k) ? Dim.Of(k) : Dim.Symbol(text));
        options.ConcreteShapes.TryGetValue(name, out var c);
        var shape = kind switch
        {
            VarKind.Scalar => Shape.Scalar,
            VarKind.Vector => Shape.Vector(D(t?.Rows, c.Rows)),
            VarKind.Matrix => Shape.Matrix(D(t?.Rows, c.Rows), D(t?.Cols, c.Cols)),
            _ => Shape.Matrix(D(t?.Rows, c.Rows), D(t?.Rows, c.Rows)),
        };
        return new Var(name, shape, kind == VarKind.Symmetric);
    }

    /// <summary>The names a binding must not take: the objective's variables and sizes, the functions, 'where'.</summary>
    public static HashSet<string> ReservedNames(Expr f)
    {
        var names = new HashSet<string>(Ops.Functions.AllNames, StringComparer.Ordinal) { Syntax.WhereBindings.Keyword };
        foreach (var v in ExprQueries.Variables(f))
        {
            names.Add(v.Name);
            foreach (var d in v.Shape.Dims) names.Add(d.Name);
        }
        return names;
    }

    /// <param name="f">The objective.</param>
    /// <param name="x">The variable.</param>
    /// <param name="kind">Gradient, Jacobian or Hessian.</param>
    /// <param name="trace">Record the reverse-mode rule applications.</param>
    /// <param name="steps">Also derive it step by step, the way a seminar does (gradients).</param>
    public static DerivativeResult Compute(Expr f, Var x, DerivativeKind kind, bool trace = false, bool steps = false)
    {
        if (Derivatives.NeedsIndexForm(f, x, kind))
        {
            var target = kind == DerivativeKind.Hessian ? Simplifier.Simplify(Differentiator.Gradient(f, x)) : f;
            var index = TensorDerivative.Build(target, x);
            var ex = steps ? Explain.Explainer.TryExplain(f, x, kind) : null;
            return new DerivativeResult(x.Name, kind, null, Shape.Scalar, null, index.ToLatex(), Steps: ex, Index: index);
        }
        var rules = trace ? new List<RuleApplication>() : null;
        Expr d;
        try
        {
            d = Derivatives.Derive(f, x, kind, rules);
        }
        catch (NablaException e) when (e.Diagnostic.Code == ErrorCodes.Unsupported && kind != DerivativeKind.Gradient)
        {
            // No matrix form this version builds (an entry-wise function of an inverse, say): the index form,
            // which the contract gives wherever there is no matrix form, still exists.
            var target = kind == DerivativeKind.Hessian ? Simplifier.Simplify(Differentiator.Gradient(f, x)) : f;
            IndexForm index;
            try { index = TensorDerivative.Build(target, x); }
            catch (NablaException) { throw e; }
            var ex = steps ? Explain.Explainer.TryExplain(f, x, kind) : null;
            return new DerivativeResult(x.Name, kind, null, Shape.Scalar, null, index.ToLatex(), Steps: ex, Index: index);
        }
        if (!d.SizeAtMost(Derivatives.MaxResultNodes))
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"the {Derivatives.KindName(kind)} with respect to {x.Name} has more than {Derivatives.MaxResultNodes:N0} nodes when written out; simplify the expression or split it");
        var explanation = steps ? Explain.Explainer.TryExplain(f, x, kind) : null;
        return new DerivativeResult(x.Name, kind, d, d.Shape, ResultText.Readable(d), LatexPrinter.Print(d), null, rules, explanation)
        {
            ReservedNames = ReservedNames(f),
        };
    }

    /// <summary>
    /// A module in <paramref name="target"/> (numpy, torch, matlab, csharp) whose function takes the objective's variables and
    /// returns its value and each derivative, in order, sharing their common subexpressions; with a gradient check and
    /// a main that runs it at a random point. A derivative with only an index form is refused (no code for it yet).
    /// </summary>
    public static string EmitCode(string target, string source, BoundExpression bound, IReadOnlyList<(Var Wrt, DerivativeResult Result)> results,
        string functionName = "f") =>
        Codegen.CodeTarget.ByName(target).Emit(CodeRequest(source, bound, results, functionName));

    /// <summary>
    /// What a code target prints for the objective and its derivatives: the variables in order (a variable differentiated
    /// by that the objective does not read included), the domains its random values must keep. An index-form-only
    /// derivative is refused.
    /// </summary>
    public static Codegen.CodeRequest CodeRequest(string source, BoundExpression bound, IReadOnlyList<(Var Wrt, DerivativeResult Result)> results,
        string functionName = "f")
    {
        var derivatives = new List<Codegen.CodeDerivative>();
        foreach (var (x, d) in results)
        {
            if (d.Result is null)
                throw new NablaException(ErrorCodes.Unsupported,
                    $"the {Derivatives.KindName(d.Kind)} with respect to {x.Name} has only an index form; code is generated for matrix-form results");
            derivatives.Add(new Codegen.CodeDerivative(x, d.Kind, d.Result));
        }
        var variables = bound.Variables.ToList();
        foreach (var (x, _) in results)
            if (!variables.Any(v => v.Name == x.Name)) variables.Add(x);
        var (positive, spd) = RandomPoint.Domains(bound.Root);
        return new Codegen.CodeRequest(source, bound.Root, variables, derivatives, positive, spd, functionName);
    }
}
