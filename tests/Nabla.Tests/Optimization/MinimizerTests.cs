using System.Text.Json.Nodes;
using Nabla.Diagnostics;
using Nabla.LinearAlgebra;
using Nabla.Optimization;

namespace Nabla.Tests.Optimization;

/// <summary>
/// The optimisers against SciPy's minimisers (fixtures/scipy_minimize.json, made by fixtures/make_fixtures.py with
/// Debian's python3-scipy): the same minimiser to 1e-6 by every method; every stopping reason and every refusal
/// word for word.
/// </summary>
public class MinimizerTests
{
    private static readonly JsonArray Cases = (JsonArray)JsonNode.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Optimization", "fixtures", "scipy_minimize.json")))!["cases"]!;

    public static TheoryData<string, Method> CasesByMethod()
    {
        var data = new TheoryData<string, Method>();
        foreach (var c in Cases)
            foreach (var m in Enum.GetValues<Method>())
                if (m is not (Method.Newton or Method.NewtonCg) || c!["lower"] is null) data.Add((string)c!["name"]!, m);
        return data;
    }

    private static Tensor Value(JsonNode node) => node switch
    {
        JsonValue v => Tensor.Scalar(v.GetValue<double>()),
        JsonArray { Count: > 0 } a when a[0] is JsonArray => Tensor.Matrix(a.Select(r => r!.AsArray().Select(x => x!.GetValue<double>()).ToArray()).ToArray().ToMatrix()),
        JsonArray a => Tensor.Vector(a.Select(x => x!.GetValue<double>()).ToArray()),
        _ => throw new InvalidOperationException(),
    };

    private static (Objective F, List<string> Wrt, Dictionary<string, Tensor> Start, JsonObject Case) Load(string name)
    {
        var c = Cases.Single(x => (string)x!["name"]! == name)!.AsObject();
        var types = c["vars"]!.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!);
        var f = NablaMath.Parse((string)c["expr"]!, types);
        var start = c["values"]!.AsObject().ToDictionary(kv => kv.Key, kv => Value(kv.Value!));
        return (f, c["wrt"]!.AsArray().Select(w => (string)w!).ToList(), start, c);
    }

    [Theory]
    [MemberData(nameof(CasesByMethod))]
    public void Every_method_finds_scipys_minimiser(string name, Method method)
    {
        var (f, wrt, start, c) = Load(name);
        var lower = c["lower"]?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>());
        var r = f.Minimize(wrt, start, new MinimizeOptions { Method = method, MaxIterations = method == Method.GradientDescent ? 200_000 : 1000, Lower = lower });
        Assert.True(r.Converged, $"{name} by {method}: {r.Message}");
        foreach (var w in wrt)
        {
            var want = Value(c["minimizer"]![w]!).Data;
            var got = r.Minimizer[w].Data;
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= 1e-6 * Math.Max(1, Math.Abs(want[i])),
                    $"{name} by {method}: {w}[{i}] = {got[i]:R}, SciPy {want[i]:R} ({r.Iterations} iterations)");
        }
        Assert.Equal((double)c["value"]!, r.Value, 8);
    }

    [Fact]
    public void The_iteration_limit_is_a_stop_not_a_result()
    {
        var (f, wrt, start, _) = Load("rosenbrock");
        var r = f.Minimize(wrt, start, new MinimizeOptions { MaxIterations = 3 });
        Assert.Equal(StopReason.IterationLimit, r.Reason);
        Assert.False(r.Converged);
        Assert.Equal(3, r.Iterations);
        Assert.StartsWith("not converged: stopped at the iteration limit (3) with the gradient's largest entry ", r.Message);
    }

    [Fact]
    public void An_unbounded_objective_diverges()
    {
        var f = NablaMath.Parse("sum(x) - x'*x");
        var r = f.Minimize(["x"], new Dictionary<string, Tensor> { ["x"] = Tensor.Vector(0.1, 0.2) });
        Assert.Equal(StopReason.Diverged, r.Reason);
        Assert.StartsWith("diverged: the value fell to ", r.Message);
        Assert.EndsWith("; the objective has no minimum along this path", r.Message);
    }

    [Fact]
    public void A_start_outside_the_domain_is_said()
    {
        var f = NablaMath.Parse("sum(log(x))");
        var r = f.Minimize(["x"], new Dictionary<string, Tensor> { ["x"] = Tensor.Vector(-1, 1) });
        Assert.Equal(StopReason.NotFinite, r.Reason);
        Assert.Equal("the objective cannot be evaluated at the start: sum(log(x)) is not finite at the given values (an overflow, a division by zero or a value outside a function's domain)", r.Message);
    }

    [Fact]
    public void A_kink_stalls()
    {
        var f = NablaMath.Parse("sum(abs(x))");
        var r = f.Minimize(["x"], new Dictionary<string, Tensor> { ["x"] = Tensor.Vector(1, -2) });
        Assert.Equal(StopReason.Stalled, r.Reason);
        Assert.StartsWith("stalled: ", r.Message);
    }

    [Fact]
    public void Progress_is_reported_each_iteration_and_lbfgs_never_goes_up()
    {
        var (f, wrt, start, _) = Load("logistic");
        var seen = new List<MinimizeProgress>();
        var r = f.Minimize(wrt, start, new MinimizeOptions { Progress = seen.Add });
        Assert.True(r.Converged, r.Message);
        Assert.Equal(r.Iterations, seen.Count);
        Assert.Equal(Enumerable.Range(1, seen.Count), seen.Select(p => p.Iteration));
        for (int i = 1; i < seen.Count; i++) Assert.True(seen[i].Value <= seen[i - 1].Value, $"iteration {i + 1} went up");
        Assert.True(r.Evaluations >= r.Iterations);
    }

    [Theory]
    [InlineData("A*x", new[] { "x" }, "only a scalar objective can be minimised; this one is vector n")]
    [InlineData("x'*x + y", new[] { "x" }, "no value for y: give every variable a value (the start, for those minimised over)")]
    [InlineData("x'*x", new string[0], "minimise over which variables? name at least one")]
    [InlineData("x'*x", new[] { "x", "x" }, "a variable is named twice among those to minimise over")]
    public void Refusals_say_what_is_wrong(string text, string[] wrt, string message)
    {
        var f = NablaMath.Parse(text);
        var start = new Dictionary<string, Tensor> { ["x"] = Tensor.Vector(1, 2) };
        var e = Assert.Throws<NablaException>(() => f.Minimize(wrt, start));
        Assert.Equal(message, e.Diagnostic.Message);
    }

    [Fact]
    public void Bounds_are_checked()
    {
        var (f, wrt, start, _) = Load("nnls");
        var e = Assert.Throws<NablaException>(() => f.Minimize(wrt, start, new MinimizeOptions { Lower = new Dictionary<string, double> { ["b"] = 0 } }));
        Assert.Equal("a bound is given for b, which is not among the variables minimised over", e.Diagnostic.Message);
        e = Assert.Throws<NablaException>(() => f.Minimize(wrt, start, new MinimizeOptions { Lower = new Dictionary<string, double> { ["x"] = 1 }, Upper = new Dictionary<string, double> { ["x"] = 0 } }));
        Assert.Equal("a lower bound (1) is above its upper bound (0)", e.Diagnostic.Message);
        e = Assert.Throws<NablaException>(() => f.Minimize(wrt, start, new MinimizeOptions { Method = Method.Newton, Lower = new Dictionary<string, double> { ["x"] = 0 } }));
        Assert.Equal("Newton's method does not take bounds here: use Method.Lbfgs (projected) or GradientDescent", e.Diagnostic.Message);
        // A box that holds the whole minimiser inside it changes nothing; one that cuts it holds the bound.
        var boxed = f.Minimize(wrt, start, new MinimizeOptions { Lower = new Dictionary<string, double> { ["x"] = 0 }, Upper = new Dictionary<string, double> { ["x"] = 1 } });
        Assert.True(boxed.Converged, boxed.Message);
        Assert.Equal(1.0, boxed.Minimizer["x"].Data[3], 12);
        Assert.All(boxed.Minimizer["x"].Data, v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void Newton_cg_needs_no_hessian_matrix()
    {
        // A matrix variable, which plain Newton refuses: Hessian-vector products are matrices of X's shape.
        var rng = new Random(5);
        var a = Tensor.Matrix(Enumerable.Range(0, 12).Select(_ => rng.NextDouble() - 0.5).ToArray(), 4, 3);
        var b = Tensor.Matrix(Enumerable.Range(0, 8).Select(_ => rng.NextDouble()).ToArray(), 4, 2);
        var f = NablaMath.Parse("norm2(A*X-B)^2 + norm2(X)^2/10");
        var start = new Dictionary<string, Tensor> { ["A"] = a, ["B"] = b, ["X"] = Tensor.Matrix(new double[6], 3, 2) };
        var cg = f.Minimize(["X"], start, new MinimizeOptions { Method = Method.NewtonCg });
        var lbfgs = f.Minimize(["X"], start, new MinimizeOptions { Method = Method.Lbfgs, GradientTolerance = 1e-12 });
        Assert.True(cg.Converged, cg.Message);
        Assert.True(cg.Iterations <= 10, $"{cg.Iterations} iterations on a quadratic (inexact CG steps: superlinear, not one step)");
        for (int i = 0; i < 6; i++) Assert.Equal(lbfgs.Minimizer["X"].Data[i], cg.Minimizer["X"].Data[i], 9);
    }

    [Fact]
    public void Newton_over_a_matrix_is_refused()
    {
        var f = NablaMath.Parse("norm2(A*X-B)^2");
        var start = new Dictionary<string, Tensor> { ["A"] = Tensor.Matrix(new double[4], 2, 2), ["B"] = Tensor.Matrix(new double[4], 2, 2), ["X"] = Tensor.Matrix(new double[4], 2, 2) };
        var e = Assert.Throws<NablaException>(() => f.Minimize(["X"], start, new MinimizeOptions { Method = Method.Newton }));
        Assert.Equal("Newton's method works on scalars and vectors here: the Hessian with respect to the matrix X has four indices (no matrix form to solve with); use Method.Lbfgs", e.Diagnostic.Message);
    }

    [Fact]
    public void A_symmetric_variable_and_a_variable_without_a_start_are_refused()
    {
        var f = NablaMath.Parse("x'*S*x + norm2(S)^2", new Dictionary<string, string> { ["S"] = "symmetric" });
        var start = new Dictionary<string, Tensor> { ["x"] = Tensor.Vector(1, 2), ["S"] = Tensor.Matrix(new double[] { 1, 0, 0, 1 }, 2, 2) };
        var e = Assert.Throws<NablaException>(() => f.Minimize(["S"], start));
        Assert.Equal("S is symmetric: minimising over a symmetric matrix (keeping it symmetric) is not supported yet; declare it a matrix", e.Diagnostic.Message);
        var g = NablaMath.Parse("x'*x");
        e = Assert.Throws<NablaException>(() => g.Minimize(["x", "z"], new Dictionary<string, Tensor> { ["x"] = Tensor.Vector(1, 2) }));
        Assert.Equal("no starting value for z", e.Diagnostic.Message);
    }

    [Fact]
    public void Newton_over_two_variables_uses_the_mixed_second_derivatives()
    {
        // Rosenbrock in a and b: the cross term -400a appears only in the mixed block; Newton converges in a few dozen steps.
        var (f, wrt, start, _) = Load("rosenbrock");
        var r = f.Minimize(wrt, start, new MinimizeOptions { Method = Method.Newton });
        Assert.True(r.Converged, r.Message);
        Assert.True(r.Iterations < 60, $"{r.Iterations} iterations");
    }
}

internal static class JaggedExtensions
{
    public static double[,] ToMatrix(this double[][] rows)
    {
        var m = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[0].Length; j++) m[i, j] = rows[i][j];
        return m;
    }
}
