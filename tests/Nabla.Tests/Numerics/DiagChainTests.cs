using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Printing;
using Xunit.Abstractions;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>
/// Products with diag(v) factors and the Hessians' closed forms: the compiled plan agrees with the reference
/// interpreter and never forms a diagonal matrix; A + A' is one pass, X'·diag(s)·X a symmetric product.
/// </summary>
public class DiagChainTests(ITestOutputHelper output)
{
    private static readonly IBlas Blas = Backends.FromEnvironment;

    private static readonly Dictionary<string, string> Types = new()
    {
        ["A"] = "matrix(n,n)", ["B"] = "matrix(m,n)", ["X"] = "matrix(m,n)",
        ["v"] = "vector(n)", ["x"] = "vector(n)", ["y"] = "vector(n)", ["q"] = "vector(m)", ["l"] = "vector(m)", ["w"] = "vector(n)",
        ["a"] = "scalar",
    };

    private static Dictionary<string, Tensor> Values(int seed, int m, int n)
    {
        var rng = new Random(seed);
        var labels = Backends.Random(rng, m, 1, ShapeKind.Vector);
        for (int i = 0; i < m; i++) labels.Data[i] = labels.Data[i] >= 0 ? 1 : -1;
        return new()
        {
            ["A"] = Backends.Random(rng, n, n), ["B"] = Backends.Random(rng, m, n), ["X"] = Backends.Random(rng, m, n),
            ["v"] = Backends.Random(rng, n, 1, ShapeKind.Vector), ["x"] = Backends.Random(rng, n, 1, ShapeKind.Vector),
            ["y"] = Backends.Random(rng, n, 1, ShapeKind.Vector), ["q"] = Backends.Random(rng, m, 1, ShapeKind.Vector),
            ["l"] = labels, ["w"] = Backends.Random(rng, n, 1, ShapeKind.Vector), ["a"] = Tensor.Scalar(0.7),
        };
    }

    private string Check(Objective e, int m, int n, int seed, bool diagonalResult = false)
    {
        var values = Values(seed, m, n);
        var plan = e.Compile(Blas);
        string steps = plan.Describe(values);
        var expected = Evaluator.Evaluate(e.Expression, values);
        var actual = plan.Evaluate(values)[0];
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Cols, actual.Cols);
        Backends.Close(expected.Data, actual.Data, 1e-10, $"{TextPrinter.Print(e.Expression)} at m={m}, n={n}\n{steps}");
        // No step builds a diagonal matrix (unless it is the result) or falls back to the reference kernel.
        Assert.DoesNotContain("reference kernel", steps);
        foreach (var line in steps.Split('\n').Where(l => l.StartsWith("  t") && !diagonalResult))
            Assert.DoesNotMatch(@"= diag\([^()]*\)$", line.TrimEnd());
        return steps;
    }

    [Theory]
    [InlineData("diag(v)*A")]
    [InlineData("A*diag(v)")]
    [InlineData("A*diag(v)*B'")]
    [InlineData("x'*diag(v)*y")]
    [InlineData("diag(v)*x")]
    [InlineData("x'*diag(v)")]
    [InlineData("A'*diag(v)")]
    [InlineData("diag(v)*A'")]
    [InlineData("a*diag(v)*A*diag(y)")]
    [InlineData("B*diag(v)*diag(y)*A")]
    [InlineData("X*diag(v)*X'")]
    [InlineData("X'*diag(q)*X")]
    [InlineData("2*X'*diag(q)*X*x")]
    [InlineData("X'*X")]
    [InlineData("a*X'*X + A")]
    [InlineData("diag(v)*diag(y)")]
    [InlineData("A + A'")]
    [InlineData("A' + A")]
    [InlineData("A + A' + A")]
    public void Products_with_diagonals_agree_with_the_interpreter(string text)
    {
        var e = NablaMath.Parse(text, Types);
        foreach (var (m, n, seed) in new[] { (1, 1, 1), (3, 4, 2), (7, 5, 3), (40, 150, 4), (150, 70, 5) })
            Check(e, m, n, seed, diagonalResult: text == "diag(v)*diag(y)");
    }

    [Theory]
    [InlineData("x'*A*x", "A + A' (one pass")]
    [InlineData("sum(softplus(X*w))", "gram")]
    [InlineData("sum(softplus(-l.*(X*w)))", "gram")]
    [InlineData("sum(log(1+exp(-l.*(X*w)))) + a*w'*w", "gram")]
    [InlineData("(q-X*w)'*(q-X*w)", "gram")]
    public void Hessians_evaluate_their_closed_forms_with_matrix_products(string text, string step)
    {
        var wrt = text.Contains("x'") ? "x" : "w";
        var h = NablaMath.Parse(text, Types).Hessian(wrt);
        output.WriteLine($"{text}: H = {TextPrinter.Print(h.Expression)}");
        foreach (var (m, n, seed) in new[] { (3, 2, 6), (30, 8, 7), (300, 130, 8) })
        {
            string steps = Check(h, m, n, seed);
            Assert.Contains(step, steps);
            if (m == 300) output.WriteLine(steps);
        }
    }
}
