using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Printing;
using Nabla.Simplify;
using Nabla.LinearAlgebra;

namespace Nabla.Explain;

/// <summary>One line of a derivation: the expression it reaches and the rule that justifies it.</summary>
/// <param name="Rule">The rule's kebab-case name (product-rule, cyclic-trace, ...).</param>
/// <param name="Reason">The rule in words and symbols.</param>
/// <param name="Expr">The differential df at this step (for the final step, the gradient).</param>
/// <param name="Text">The line in the language's notation.</param>
/// <param name="Latex">The line in LaTeX (one row of an align* block).</param>
public sealed record Step(string Rule, string Reason, Expr Expr, string Text, string Latex);

/// <summary>
/// A derivation: the steps from df = d(f) to the derivative, and the differential variable used.
/// <see cref="Gradient"/> is the derivative read off (the gradient, or the Jacobian J with df = J*dx);
/// for a Hessian, <see cref="Objective"/> is the gradient whose differential the steps expand.
/// </summary>
public sealed record Explanation(IReadOnlyList<Step> Steps, Var Differential, Expr Gradient,
    DerivativeKind Kind = DerivativeKind.Gradient, Expr? Objective = null)
{
    /// <summary>The derivation as text: one step a line, each with its rule and reason.</summary>
    public string ToText() => string.Join("\n", Steps.Select((s, i) =>
        i == Steps.Count - 1 || s.Rule is "differential" or "gradient" ? s.Text : $"{s.Text.PadRight(Math.Max(40, s.Text.Length + 2))}{s.Rule}: {s.Reason}"));

    /// <summary>The derivation in LaTeX, as an align* block.</summary>
    public string ToLatex() => "\\begin{align*}\n" + string.Join(" \\\\\n", Steps.Select(s => s.Latex)) + "\n\\end{align*}";
}

/// <summary>
/// Derives a gradient the way a seminar does: write df, expand it by the rules of the matrix
/// differential, simplify, bring it to tr(G'*dX) (or g'*dx) by the trace and transpose rules, read off G.
/// Every step is generated from the rules applied; <c>Checking.StepCheck</c> verifies each one numerically.
/// </summary>
public static class Explainer
{
    private const int MaxSteps = 400;

    /// <summary>The derivation of a derivative of the given kind.</summary>
    public static Explanation Explain(Expr f, Var x, DerivativeKind kind) => TryExplain(f, x, kind)
        ?? throw new NablaException(ErrorCodes.Unsupported,
            $"the {kind.ToString().ToLowerInvariant()} with respect to {x.Name} has no matrix form, so no step-by-step derivation in matrix notation");

    /// <summary>The derivation where there is one (matrix-form results), else null (the derivative itself is still given).</summary>
    public static Explanation? TryExplain(Expr f, Var x, DerivativeKind kind)
    {
        if (Derivatives.NeedsIndexForm(f, x, kind)) return null;
        return kind switch
        {
            DerivativeKind.Gradient => Gradient(f, x),
            DerivativeKind.Jacobian when f.Shape.IsScalar => Gradient(f, x),
            DerivativeKind.Jacobian when f.Shape.Kind is ShapeKind.Vector => Jacobian(f, x, "f"),
            DerivativeKind.Hessian when f.Shape.IsScalar && x.Shape.Kind is ShapeKind.Vector or ShapeKind.Scalar => Hessian(f, x),
            _ => null,
        };
    }

    /// <summary>
    /// The Jacobian the same way: expand df, simplify, write it as J*dx (u.*dx = diag(u)*dx), read off J.
    /// </summary>
    public static Explanation Jacobian(Expr f, Var x, string fName)
    {
        _written = 0;
        var dx = Differential(f, x);
        var rules = new Differentials(x, dx);
        var steps = new List<Step>();
        string dName = "d" + fName;
        steps.Add(Line(dName, "differential", "take the differential", rules.D(f), first: true));
        var cur = rules.ExpandAll(f, (rule, reason, e) => steps.Add(Line(dName, rule, reason, e)), MaxSteps);
        var canon = Simplifier.Canonical(cur);
        if (TextPrinter.PrintResult(canon) != TextPrinter.PrintResult(cur))
            steps.Add(Line(dName, "simplify", "collect terms, constants and transposes", canon));
        var j = Jacobians.Jacobian(f, x);
        var collected = x.Shape.IsScalar ? (Expr)new Mul([j, dx]) : new Mul([j, dx]);
        steps.Add(Line(dName, "collect", $"write d{fName} as J*{dx.Name} (u.*{dx.Name} = diag(u)*{dx.Name}, s*{dx.Name} = s*eye*{dx.Name})", collected));
        string label = fName == "f" ? $"J_{x.Name} f" : $"H_{x.Name} f";
        string text = $"⇒ {label} = {TextPrinter.PrintResult(j)}";
        string latexLabel = fName == "f" ? $"J_{{{LatexPrinter.Name(x.Name)}}} f" : $"H_{{{LatexPrinter.Name(x.Name)}}} f";
        steps.Add(new Step("read-off", $"d{fName} = J d{x.Name} means the derivative is J", j, text, $"\\Rightarrow\\ {latexLabel} &= {LatexPrinter.Print(j)}"));
        return new Explanation(steps, dx, j, DerivativeKind.Jacobian, f);
    }

    /// <summary>The Hessian as the Jacobian of the gradient: g = ∇f, then dg = H*dx.</summary>
    public static Explanation Hessian(Expr f, Var x)
    {
        var g = Derivatives.Derive(f, x, DerivativeKind.Gradient);
        var inner = Jacobian(g, x, "g");
        var first = new Step("gradient", "the gradient, derived as by grad --steps", g,
            $"g = ∇_{x.Name} f = {TextPrinter.PrintResult(g)}", $"g &= \\nabla_{{{LatexPrinter.Name(x.Name)}}} f = {LatexPrinter.Print(g)}");
        return inner with { Steps = [first, .. inner.Steps], Kind = DerivativeKind.Hessian, Objective = g };
    }

    private static Step Line(string dName, string rule, string reason, Expr e, bool first = false)
    {
        CheckSize(e);
        string t = (first ? $"{dName} = " : new string(' ', dName.Length + 1) + "= ") + TextPrinter.PrintResult(e);
        string l = (first ? $"\\mathrm{{d}}{dName[1..]} &= " : "&= ") + LatexPrinter.Print(e) + (first ? "" : $" && \\text{{{LatexText(rule)}}}");
        return new Step(rule, reason, e, t, l);
    }

    /// <summary>The derivation of the gradient of the scalar <paramref name="f"/> with respect to <paramref name="x"/>, step by step from df = d(f).</summary>
    public static Explanation Gradient(Expr f, Var x)
    {
        _written = 0;
        if (!f.Shape.IsScalar)
            throw new NablaException(ErrorCodes.NotDifferentiable, $"the gradient needs a scalar objective, but this one is {f.Shape.Describe()}");
        var dx = Differential(f, x);
        var rules = new Differentials(x, dx);
        var steps = new List<Step>();
        const string dName = "df";

        steps.Add(Line("differential", "take the differential of f", rules.D(f), first: true));
        var cur = rules.ExpandAll(f, (rule, reason, e) => steps.Add(Line(rule, reason, e)), MaxSteps);

        var canon = Simplifier.Canonical(cur);
        if (TextPrinter.PrintResult(canon) != TextPrinter.PrintResult(cur))
            steps.Add(Line("simplify", "collect terms, constants and transposes", canon));

        var read = new ReadOff(dx);
        var terms = canon is Add a ? a.Terms : [canon];
        var multipliers = terms.Select(read.Multiplier).ToList();
        bool matrix = x.Shape.Kind == ShapeKind.Matrix;
        if (matrix && !(canon is Expressions.Call { Op: var op } && ReferenceEquals(op, Ops.Functions.Tr)))
            steps.Add(Line("trace-of-scalar", "a scalar equals its trace; tr is linear", Rules.MakeAdd(terms.Select(TrTerm).ToList(), Shape.Scalar)));
        var pairs = multipliers.Select(m => Pair(m, dx)).ToList();
        var moved = pairs.Count == 1 ? pairs[0] : new Add(pairs);
        var reasons = read.Used.Distinct().Select(Reason).Where(r => r is not null).ToList();
        if (TextPrinter.PrintResult(moved) != TextPrinter.PrintResult(steps[^1].Expr))
            steps.Add(Line("cyclic-trace", reasons.Count > 0 ? string.Join("; ", reasons) : "move dX to the right", moved));
        var m = Simplifier.Simplify(Rules.MakeAdd(multipliers, multipliers[0].Shape));
        var g = Derivatives.Derive(f, x, DerivativeKind.Gradient);
        // A vector's df is written g'*dx with g simplified; a matrix's tr(M*dX) keeps M and transposes at the end.
        Expr collected = x.Shape.Kind == ShapeKind.Vector
            ? new Mul([new Transpose(Simplifier.Simplify(Rules.MakeT(m))), dx])
            : Pair(m, dx);
        if (TextPrinter.PrintResult(collected) != TextPrinter.PrintResult(steps[^1].Expr))
            steps.Add(Line("collect", "collect the terms multiplying " + dx.Name, collected));

        string label = $"∇_{x.Name} f";
        string gText = TextPrinter.PrintResult(g);
        string text, latexLead;
        if (x.Shape.Kind == ShapeKind.Matrix)
        {
            string readText = TextPrinter.PrintResult(new Transpose(m));
            text = readText == gText ? $"⇒ {label} = {gText}" : $"⇒ {label} = {readText} = {gText}";
            latexLead = $"\\left({LatexPrinter.Print(m)}\\right)^{{T}} = ";
            if (readText == gText) latexLead = "";
        }
        else
        {
            text = $"⇒ {label} = {gText}";
            latexLead = "";
        }
        string latex = $"\\Rightarrow\\ \\nabla_{{{LatexPrinter.Name(x.Name)}}} f &= {latexLead}{LatexPrinter.Print(g)}";
        steps.Add(new Step("read-off", matrix ? "df = tr(G' dX) means ∇f = G" : "df = g' dx means ∇f = g", g, text, latex));
        return new Explanation(steps, dx, g);

        Step Line(string rule, string reason, Expr e, bool first = false)
        {
            CheckSize(e);
            string t = (first ? $"{dName} = " : "   = ") + TextPrinter.PrintResult(e);
            string l = (first ? "\\mathrm{d}f &= " : "&= ") + LatexPrinter.Print(e) + (first ? "" : $" && \\text{{{LatexText(rule)}}}");
            return new Step(rule, reason, e, t, l);
        }
    }

    private static string? Reason(string used) => used switch
    {
        "cyclic-trace" => "cyclic property tr(ABC) = tr(CAB)",
        "transpose-scalar" => "a scalar equals its transpose",
        "hadamard-inner-product" => "<A, B.*C> = <A.*B, C>",
        "diag-inner-product" => "tr(L diag(w)) = diag(L)'*w",
        "sum-as-inner-product" => "sum(Q) = <1, Q>",
        "adjoint-rules" => "the adjoint rules",
        _ => null,
    };

    private static string LatexText(string rule) => rule.Replace('-', ' ');

    /// <summary>tr(t) for a scalar term; k*tr(Q) becomes tr(k*Q).</summary>
    private static Expr TrTerm(Expr t)
    {
        if (t is Mul m && m.Factors.Count(f => f is Expressions.Call { Op: var op } && ReferenceEquals(op, Ops.Functions.Tr)) == 1
            && m.Factors.All(f => f.Shape.IsScalar))
        {
            var tr = (Expressions.Call)m.Factors.First(f => f is Expressions.Call { Op: var op } && ReferenceEquals(op, Ops.Functions.Tr));
            var others = m.Factors.Where(f => !ReferenceEquals(f, tr)).ToList();
            var inner = tr.Arg is Mul im ? im.Factors : [tr.Arg];
            return new Expressions.Call(Ops.Functions.Tr, others.Count == 0 ? tr.Arg : new Mul([.. others, .. inner]));
        }
        return Tr(t);
    }

    /// <summary>tr(t) for a scalar term (kept as is when it already is a trace).</summary>
    private static Expr Tr(Expr t) =>
        t is Expressions.Call { Op: var op } && ReferenceEquals(op, Ops.Functions.Tr) ? t : new Expressions.Call(Ops.Functions.Tr, t);

    /// <summary>tr(M*dX) for a matrix, M*dx otherwise (kept as written: dX stays on the right).</summary>
    private static Expr Pair(Expr m, Var dx)
    {
        Expr prod = m is Num { Value: 1 } ? dx : m is Mul mm ? new Mul([.. mm.Factors, dx]) : new Mul([m, dx]);
        return dx.Shape.Kind == ShapeKind.Matrix ? new Expressions.Call(Ops.Functions.Tr, prod) : prod;
    }

    [ThreadStatic] private static int _written;

    /// <summary>Each step, and the derivation as a whole, stay within a size a person can read.</summary>
    private static void CheckSize(Expr e)
    {
        if (!e.SizeAtMost(Derivatives.MaxResultNodes) || (_written += Math.Min(e.Size, Derivatives.MaxResultNodes)) > 4 * Derivatives.MaxResultNodes)
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"a step of the derivation has more than {Derivatives.MaxResultNodes:N0} nodes when written out; too long to show");
    }

    /// <summary>A variable for dX, named d + the variable's name (d_ + name if that is taken).</summary>
    private static Var Differential(Expr f, Var x)
    {
        var names = ExprQueries.Variables(f).Select(v => v.Name).ToHashSet();
        string name = "d" + x.Name;
        if (names.Contains(name)) name = "d_" + x.Name;
        return new Var(name, x.Shape, x.Symmetric);
    }
}
