using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Semantics;
using Nabla.Simplify;

namespace Nabla.Api;

public enum DerivativeKind { Gradient, Jacobian, Hessian }

/// <summary>
/// One derivative of an objective: in matrix form (<see cref="Result"/>, <see cref="Text"/>) where one exists,
/// otherwise in index notation (<see cref="Index"/>); LaTeX either way, and the steps when asked.
/// </summary>
public sealed record DerivativeResult(
    string Wrt, DerivativeKind Kind, Expr? Result, Shape Shape, string? Text, string Latex,
    Tensor? Value = null, IReadOnlyList<RuleApplication>? Trace = null, Explain.Explanation? Steps = null,
    IndexForm? Index = null)
{
    /// <summary>The dimensions of the result: the objective's, then the variable's where the result is a tensor.</summary>
    public IReadOnlyList<Dim> Dims => Index?.Dims ?? Shape.Dims;

    /// <summary>The matrix-form result; throws for a result that only has an index form.</summary>
    public Expr Matrix => Result ?? throw new InvalidOperationException($"the {Kind} with respect to {Wrt} has no matrix form; use Index");
}

/// <summary>The library's front door: bind, differentiate, simplify, print, evaluate.</summary>
public static class Derivation
{
    /// <summary>The largest derivative, in nodes written out, that is printed.</summary>
    public const int MaxResultNodes = 50_000;

    public static string KindName(DerivativeKind k) => k.ToString().ToLowerInvariant();

    public static DerivativeKind ParseKind(string s) => s switch
    {
        "gradient" => DerivativeKind.Gradient,
        "jacobian" => DerivativeKind.Jacobian,
        "hessian" => DerivativeKind.Hessian,
        _ => throw new NablaException(ErrorCodes.BadRequest, $"unknown derivative '{s}': use gradient, jacobian or hessian"),
    };

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

    /// <param name="f">The objective.</param>
    /// <param name="x">The variable.</param>
    /// <param name="kind">Gradient, Jacobian or Hessian.</param>
    /// <param name="trace">Record the reverse-mode rule applications.</param>
    /// <param name="steps">Also derive it step by step, the way a seminar does (gradients).</param>
    public static DerivativeResult Compute(Expr f, Var x, DerivativeKind kind, bool trace = false, bool steps = false)
    {
        if (NeedsIndexForm(f, x, kind))
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
            d = Derive(f, x, kind, rules);
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
        if (!d.SizeAtMost(MaxResultNodes))
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"the {KindName(kind)} with respect to {x.Name} has more than {MaxResultNodes:N0} nodes when written out; simplify the expression or split it");
        var explanation = steps ? Explain.Explainer.TryExplain(f, x, kind) : null;
        return new DerivativeResult(x.Name, kind, d, d.Shape, PrintReadable(d), LatexPrinter.Print(d), null, rules, explanation);
    }

    /// <summary>
    /// The textbook print of a result, with the sizes of its constants written out (eye(n), vector(1, n)) where
    /// the text alone would not fix them: the printed result is read back with its variables' types and its
    /// own shape, and every constant must come back sized by them (tr(eye) would not: tr(eye(n)) does).
    /// </summary>
    public static string PrintReadable(Expr result)
    {
        var text = TextPrinter.PrintResult(result);
        return ReadsBackSized(result, text) ? text : TextPrinter.PrintResult(result, sizes: true);
    }

    private static bool ReadsBackSized(Expr result, string text)
    {
        if (!HasConstant(result)) return true;
        var vars = Numerics.Evaluator.Variables(result).ToList();
        var known = vars.SelectMany(v => v.Shape.Dims).Concat(result.Shape.Dims).Select(d => d.Name).ToHashSet();
        var decls = vars.ToDictionary(v => v.Name, VarType.Of);
        try
        {
            var back = Binder.Bind(text, new BindOptions { Declarations = decls, ExpectedShape = result.Shape });
            return ConstantDims(back.Root).All(d => d.IsKnown || known.Contains(d.Name));
        }
        catch (NablaException)
        {
            return false;
        }
    }

    private static bool HasConstant(Expr e) => e is Eye or Fill || e.Children.Any(HasConstant);

    private static IEnumerable<Dim> ConstantDims(Expr e)
    {
        if (e is Eye eye) yield return eye.N;
        if (e is Fill f) foreach (var d in f.Shape.Dims) yield return d;
        foreach (var c in e.Children)
            foreach (var d in ConstantDims(c)) yield return d;
    }
}
