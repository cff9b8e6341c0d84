using Nabla.Calculus;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Protocol;
using Nabla.Semantics;

namespace Nabla.Tests.Protocol;

/// <summary>Absurd work stops with limit_exceeded: a cooperative time budget, and a cap on the size of what is printed.</summary>
public class BudgetTests
{
    private static readonly string DeepHessian = string.Concat(Enumerable.Repeat("sin(", 190)) + "x'*x" + new string(')', 190);

    [Fact]
    public void A_request_over_its_time_budget_answers_limit_exceeded_promptly()
    {
        var request = new JsonObject { ["id"] = 5, ["expr"] = DeepHessian, ["wrt"] = new JsonArray("x"), ["derivative"] = "hessian" };
        var sw = Stopwatch.StartNew();
        var r = RequestHandler.Handle(request, TimeSpan.FromMilliseconds(200));
        sw.Stop();
        Assert.False((bool)r["ok"]!);
        Assert.Equal("limit_exceeded", (string)r["error"]!["code"]!);
        Assert.Equal(5, (int)r["id"]!);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public void A_numeric_check_of_a_large_variable_stops_at_its_budget()
    {
        // Each evaluation of logdet at a 1000×1000 point is a factorisation (~0.1 s): the check reads the clock at
        // every step, not every 256th, so it stops soon after the budget rather than minutes later.
        var bound = Binder.Bind("logdet(X)", new BindOptions
        {
            PreferScalar = true,
            Declarations = new Dictionary<string, VarType> { ["X"] = VarType.Parse("symmetric(1000)") },
        });
        var x = bound.Variable("X")!;
        var d = Derivation.Compute(bound.Root, x, DerivativeKind.Gradient);
        var sw = Stopwatch.StartNew();
        var e = Assert.ThrowsAny<Exception>(() =>
        {
            using var budget = Budget.Start(TimeSpan.FromMilliseconds(300));
            Nabla.Checking.GradientCheck.Check(bound.Root, x, d.Matrix, DerivativeKind.Gradient, bound.Variables);
        });
        Assert.Equal(ErrorCodes.LimitExceeded, NablaException.Find(e)!.Code);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"stopped after {sw.Elapsed}");
    }

    [Fact]
    public void Budgets_nest_and_the_earliest_deadline_wins()
    {
        using var outer = Budget.Start(TimeSpan.FromMilliseconds(100));
        using (Budget.Start(TimeSpan.FromHours(1)))
        {
            var bound = Binder.Bind(DeepHessian, new BindOptions { PreferScalar = true });
            var e = Assert.ThrowsAny<Exception>(() => Derivation.Compute(bound.Root, bound.Variable("x")!, DerivativeKind.Hessian));
            Assert.Equal(ErrorCodes.LimitExceeded, NablaException.Find(e)!.Code);
        }
    }

    [Fact]
    public void A_derivative_too_large_to_print_is_refused()
    {
        var expr = string.Concat(Enumerable.Repeat("sin(", 60)) + "x'*x" + new string(')', 60);
        var bound = Binder.Bind(expr, new BindOptions { PreferScalar = true });
        var e = Assert.Throws<NablaException>(() => Derivation.Compute(bound.Root, bound.Variable("x")!, DerivativeKind.Hessian));
        Assert.Equal(ErrorCodes.LimitExceeded, e.Diagnostic.Code);
        Assert.Contains("nodes when written out", e.Message);
    }
}
