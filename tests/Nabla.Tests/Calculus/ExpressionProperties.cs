using Nabla.Checking;
using Nabla.Calculus;
using Nabla.Api;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Simplify;
using Nabla.Semantics;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Calculus;

/// <summary>
/// Seeded random well-typed scalar expressions over scalars a, b, vectors x, y (n) and matrices A, B (n×n),
/// built shape first, with domain-safe function choices (log and sqrt only of 1+u^2, division only by 1+u^2).
/// </summary>
internal sealed class ExprGen(int seed)
{
    private readonly Random _rng = new(seed);

    private T Pick<T>(params T[] xs) => xs[_rng.Next(xs.Length)];

    private static readonly string[] Smooth = ["exp", "sin", "cos", "tanh", "sigmoid", "softplus", "arctan"];

    public string Scalar(int depth)
    {
        if (depth <= 0) return Pick("a", "b", "a", "b", "0.5", "2");
        int d = depth - 1;
        return _rng.Next(17) switch
        {
            0 => $"{Scalar(d)}+{Scalar(d)}",
            1 => $"{Scalar(d)}-{Scalar(d)}",
            2 => $"({Scalar(d)})*({Scalar(d)})",
            3 => $"({Scalar(d)})/(1+({Scalar(d)})^2)",
            4 => $"{Pick(Smooth)}({Scalar(d)}/2)",
            5 => $"({Vector(d)})'*{Vector(d)}",
            6 => $"({Vector(d)})'*{Matrix(d)}*({Vector(d)})",
            7 => $"tr({Matrix(d)})",
            8 => $"sum({Pick("x", Vector(d))})",
            9 => $"norm2({Vector(d)})^2",
            10 => $"logsumexp({Vector(d)})",
            11 => $"<{Vector(d)},{Vector(d)}>",
            12 => $"dot({Vector(d)},{Vector(d)})",
            13 => $"log(1+({Scalar(d)})^2)",
            14 => $"sqrt(1+norm2({Vector(d)})^2)",
            15 => $"({Scalar(d)})^3",
            _ => $"-({Scalar(d)})",
        };
    }

    public string Vector(int depth)
    {
        if (depth <= 0) return Pick("x", "y");
        int d = depth - 1;
        return _rng.Next(11) switch
        {
            0 => $"(({Vector(d)})+({Vector(d)}))",
            1 => $"(({Vector(d)})-({Vector(d)}))",
            2 => $"{Matrix(d)}*({Vector(d)})",
            3 => $"({Scalar(d)})*({Vector(d)})",
            4 => $"(({Vector(d)}).*({Vector(d)}))",
            5 => $"{Pick(Smooth)}({Vector(d)}/2)",
            6 => $"softmax({Vector(d)})",
            7 => $"diag({Matrix(d)})",
            8 => $"(({Vector(d)})./(1+({Vector(d)}).^2))",
            9 => $"({Matrix(d)})'*({Vector(d)})",
            _ => Pick("x", "y"),
        };
    }

    public string Matrix(int depth)
    {
        if (depth <= 0) return Pick("A", "B");
        int d = depth - 1;
        return _rng.Next(11) switch
        {
            0 => $"(({Matrix(d)})+({Matrix(d)}))",
            1 => $"({Matrix(d)})*({Matrix(d)})",
            2 => $"({Matrix(d)})'",
            3 => $"({Scalar(d)})*({Matrix(d)})",
            4 => $"(({Matrix(d)}).*({Matrix(d)}))",
            5 => $"{Pick(Smooth)}({Matrix(d)}/2)",
            6 => $"({Vector(d)})*({Vector(d)})'",
            7 => $"diag({Vector(d)})",
            8 => $"({Pick("A", "B")}^2)",
            9 => $"(({Matrix(d)})+eye)",
            _ => Pick("A", "B"),
        };
    }
}

public class ExpressionProperties
{
    private const string D = "a:scalar; b:scalar; x:vector(n); y:vector(n); A:matrix(n,n); B:matrix(n,n)";
    private const int Count = 150;

    public static TheoryData<int> Seeds()
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < Count; i++) d.Add(1000 + i);
        return d;
    }

    private static bool Unify(Shape a, Shape b) => a.Kind == b.Kind;

    private static string Expression(int seed) => new ExprGen(seed).Scalar(3);

    /// <summary>Values at which the expression is finite (retrying a few draws), or null.</summary>
    private static Dictionary<string, Tensor> Values(Expr e, IReadOnlyList<Var> vars, Random rng)
    {
        return RandomPoint.Draw(e, vars, rng, 2, 3);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Gradient_agrees_with_finite_differences(int seed)
    {
        var text = Expression(seed);
        var b = CalcHelpers.Bind(text, D);
        foreach (var v in b.Variables)
        {
            var r = Derivation.Compute(b.Root, v, DerivativeKind.Gradient);
            var report = GradientCheck.Check(b.Root, v, r.Matrix, DerivativeKind.Gradient, b.Variables, trials: 2, seed: seed, tolerance: 1e-4);
            Assert.True(report.Passed, $"seed {seed}: d/d{v.Name} {text} = {r.Text}: relative error {report.MaxRelativeError:G3}");
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Simplify_preserves_value_and_is_idempotent(int seed)
    {
        var text = Expression(seed);
        var b = CalcHelpers.Bind(text, D);
        var targets = new List<Expr> { b.Root };
        foreach (var v in b.Variables) targets.Add(Nabla.Calculus.Differentiator.Gradient(b.Root, v));
        var rng = new Random(seed);
        foreach (var e in targets)
        {
            var s1 = Simplifier.Simplify(e);
            var s2 = Simplifier.Simplify(s1);
            Assert.Equal(TextPrinter.Print(s1), TextPrinter.Print(s2));
            for (int t = 0; t < 2; t++)
            {
                var values = Values(b.Root, b.Variables, rng);
                Tensor before;
                try { before = Evaluator.Evaluate(e, values, b.Variables); }
                catch (Nabla.Diagnostics.NablaException ex) when (ex.Diagnostic.Code == Nabla.Diagnostics.ErrorCodes.DomainError)
                {
                    continue; // the raw form is undefined here (norm2(u)*u/norm2(u) at u = 0); simplifying may extend the domain
                }
                var after = Evaluator.Evaluate(s1, values, b.Variables);
                CalcHelpers.AssertClose(before, after, 1e-9, $"seed {seed}: {text}: {TextPrinter.Print(e)} → {TextPrinter.Print(s1)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Printed_results_reparse_to_the_same_values(int seed)
    {
        var text = Expression(seed);
        var b = CalcHelpers.Bind(text, D);
        var rng = new Random(seed);
        var results = new List<Expr> { Simplifier.Simplify(b.Root) };
        foreach (var v in b.Variables) results.Add(Derivation.Compute(b.Root, v, DerivativeKind.Gradient).Matrix);
        foreach (var g in results)
        {
            var printed = TextPrinter.PrintResult(g);
            if (!ExprQueries.Variables(g).Any()) continue; // a constant: its sizes are not fixed by any variable
            var again = Binder.Bind(printed, new BindOptions { Declarations = CalcHelpers.Decls(D), ExpectedShape = g.Shape });
            var values = Values(b.Root, b.Variables, rng);
            var all = b.Variables.Concat(again.Variables).DistinctBy(v => v.Name).ToList();
            var expected = Evaluator.Evaluate(g, values, b.Variables);
            // The result's own shape fixes the sizes of constants nothing else fixes (sum(y)*vector(1)).
            Tensor actual;
            try { actual = Evaluator.Evaluate(again.Root, values, all); }
            catch (Nabla.Diagnostics.NablaException ex) { throw new Xunit.Sdk.XunitException($"seed {seed}: {printed} (of {text}): {ex.Message}"); }
            CalcHelpers.AssertClose(expected, actual, 1e-9, $"seed {seed}: {text}: printed {printed}");
        }
    }
}
