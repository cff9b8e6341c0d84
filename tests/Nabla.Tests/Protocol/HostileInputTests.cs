using Nabla.Checking;
using Nabla.Calculus;
using System.Text.Json.Nodes;
using Nabla.Numerics;
using Nabla.Protocol;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Protocol;

/// <summary>
/// Hostile input and misuse (issue 13): one response per line however the line is made, bad JSON keeps its
/// id, a symmetric declaration is checked against its value, a plan shared by threads refuses loudly, and the
/// command line's own mistakes exit 2 with a message, never a stack trace.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<(string? Line, long TooLong)> Lines(string text, int max = 100)
    {
        var r = new LineReader(new StringReader(text), max);
        var result = new List<(string?, long)>();
        while (r.Next() is { } l) result.Add(l);
        return result;
    }

    [Fact]
    public void A_line_ends_at_newline_only_and_a_raw_CR_inside_is_white_space()
    {
        var lines = Lines("{\"a\":\r1}\r\n{\"b\":2}\n\nlast");
        Assert.Equal("{\"a\":\r1}|{\"b\":2}||last", string.Join("|", lines.Select(l => l.Line)));
        var r = JsonNode.Parse(RequestHandler.HandleLine("{\"id\":3,\r\"expr\":\"x\"}"))!;
        Assert.True((bool)r["ok"]!);
        Assert.Equal(3, (int)r["id"]!);
    }

    [Fact]
    public void A_line_over_the_limit_is_skipped_as_it_is_read_and_the_next_is_answered()
    {
        var lines = Lines(new string('x', 1000) + "\n{\"ok\":1}\n", max: 100);
        Assert.Equal(2, lines.Count);
        Assert.Null(lines[0].Line);
        Assert.Equal(1000, lines[0].TooLong);
        Assert.Equal("{\"ok\":1}", lines[1].Line);
        var answer = JsonNode.Parse(RequestHandler.TooLong(1000))!;
        Assert.Equal("limit_exceeded", (string)answer["error"]!["code"]!);
    }

    [Theory]
    [InlineData("{\"id\":2,\"expr\":\"x\",\"expr\":\"y\"}", 2, "the key 'expr' is given twice in the request")]
    [InlineData("{\"id\":2,\"expr\":\"\\ud800\"}", 2, "a string in 'expr' is not valid Unicode")]
    [InlineData("\uFEFF{\"id\":2,\"expr\":\"x\"}", 2, "the line starts with a byte-order mark")]
    [InlineData("{\"id\":\"\\udc00\",\"expr\":\"x\"}", null, "a string in 'id' is not valid Unicode")]
    public void Duplicate_keys_lone_surrogates_and_a_bom_are_bad_requests_with_the_id(string line, int? id, string message)
    {
        var r = JsonNode.Parse(RequestHandler.HandleLine(line))!;
        Assert.False((bool)r["ok"]!);
        Assert.Equal("bad_request", (string)r["error"]!["code"]!);
        Assert.StartsWith(message, (string)r["error"]!["message"]!);
        if (id is null) Assert.Null(r["id"]);
        else Assert.Equal(id, (int)r["id"]!);
    }

    [Fact]
    public void A_symmetric_variable_refuses_a_value_that_is_not_symmetric()
    {
        var r = JsonNode.Parse(RequestHandler.HandleLine(
            """{"id":1,"expr":"x'*A*x","vars":{"A":"symmetric"},"wrt":["x"],"at":{"x":[1,1],"A":[[1,2],[3,4]]}}"""))!;
        Assert.Equal("domain_error", (string)r["error"]!["code"]!);
        Assert.Equal("A is declared symmetric, but its value is not: A[1,2] = 2 and A[2,1] = 3", (string)r["error"]!["message"]!);
        var ok = JsonNode.Parse(RequestHandler.HandleLine(
            """{"id":1,"expr":"x'*A*x","vars":{"A":"symmetric"},"wrt":["x"],"at":{"x":[1,1],"A":[[1,2],[2,4]]}}"""))!;
        Assert.Equal("[6,12]", ok["results"]![0]!["value"]!.ToJsonString());
    }

    [Fact]
    public void A_compiled_plan_refuses_a_second_thread_instead_of_answering_wrongly()
    {
        var objective = NablaMath.Parse("sum(softplus(-y.*(X*w)))");
        var plan = objective.CompileWithGradient("w");
        var rng = new Random(1);
        int n = 20000, d = 50;
        var x = new double[n * d];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() - 0.5;
        var values = new Dictionary<string, Tensor>
        {
            ["X"] = new Tensor(LinearAlgebra.ShapeKind.Matrix, n, d, x),
            ["y"] = Tensor.Vector(Enumerable.Range(0, n).Select(i => i % 2 == 0 ? 1.0 : -1.0).ToArray()),
            ["w"] = Tensor.Vector(new double[d]),
        };
        var expected = new double[d];
        double value = plan.ValueAndGradient(values, expected);
        int refused = 0, wrong = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var g = new double[d];
            try
            {
                double v = plan.ValueAndGradient(values, g);
                if (v != value || !g.SequenceEqual(expected)) Interlocked.Increment(ref wrong);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("compile one plan per thread"))
            {
                Interlocked.Increment(ref refused);
            }
        });
        Assert.Equal(0, wrong);
    }

    private static (int Rc, string Out, string Err) Run(params string[] args) => Tests.Cli.CliRunner.Run(args);

    [Theory]
    [InlineData("x", "--var 'x' must be name:type")]
    [InlineData("1x:vector", "'1x' is not a name")]
    [InlineData("x:vectr", "--var 'x:vectr'")]
    public void A_malformed_var_is_a_command_line_error(string spec, string message)
    {
        var (rc, _, err) = Run("grad", "x'*x", "--wrt", "x", "--var", spec);
        Assert.Equal(2, rc);
        Assert.Contains(message, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void A_name_declared_twice_with_different_types_is_refused()
    {
        var (rc, _, err) = Run("grad", "x'*x", "--wrt", "x", "--var", "x:vector", "--var", "x:matrix");
        Assert.Equal(2, rc);
        Assert.Contains("declares x twice", err);
    }

    [Fact]
    public void Values_with_a_key_twice_a_folder_or_an_endless_device_get_a_message()
    {
        var dup = Path.Combine(_dir, "dup.json");
        File.WriteAllText(dup, """{"x": [1, 2], "x": [3, 4]}""");
        var (rc, _, err) = Run("grad", "x'*x", "--wrt", "x", "--at", dup);
        Assert.Equal(1, rc);
        Assert.Contains("the key 'x' is given twice in the values", err);
        (rc, _, err) = Run("grad", "x'*x", "--wrt", "x", "--at", _dir);
        Assert.Equal(2, rc);
        Assert.Contains("is a folder", err);
        if (File.Exists("/dev/zero"))
        {
            (rc, _, err) = Run("grad", "x'*x", "--wrt", "x", "--at", "/dev/zero");
            Assert.Equal(1, rc);
            Assert.Contains("limit_exceeded", err);
        }
        Assert.DoesNotContain("   at ", err);
    }
}

/// <summary>Requests that would pin the machine: every stage under the time and size limits (issue 13).</summary>
public class BudgetLimitTests
{
    [Fact]
    public void A_product_of_32000_factors_is_derived_in_a_moment()
    {
        var line = "{\"id\":1,\"expr\":\"" + string.Join("*", Enumerable.Repeat("a", 32000)) + "\",\"wrt\":[\"a\"]}";
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = JsonNode.Parse(RequestHandler.HandleLine(line))!;
        Assert.True((bool)r["ok"]!, r.ToJsonString()[..Math.Min(300, r.ToJsonString().Length)]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal("32000*a^31999", (string)r["results"]![0]!["text"]!);
    }

    [Fact]
    public void A_hessian_too_large_to_hold_is_refused_before_it_is_allocated()
    {
        var x = string.Join(",", Enumerable.Repeat("1", 20000));
        var r = JsonNode.Parse(RequestHandler.HandleLine("{\"id\":2,\"expr\":\"x'*x\",\"wrt\":[\"x\"],\"derivative\":\"hessian\",\"at\":{\"x\":[" + x + "]}}"))!;
        Assert.Equal("limit_exceeded", (string)r["error"]!["code"]!);
        Assert.Contains("over the limit of", (string)r["error"]!["message"]!);
        Assert.Equal(2, (int)r["id"]!);
    }

    [Fact]
    public void A_check_of_an_absurd_size_is_refused_not_crashed()
    {
        var b = Nabla.Semantics.Binder.Bind("x'*x", new Nabla.Semantics.BindOptions { Declarations = new Dictionary<string, Nabla.Semantics.VarType> { ["x"] = Nabla.Semantics.VarType.Parse("vector(2000000000)") } });
        var x = b.Variable("x")!;
        var g = Nabla.Api.Derivation.Compute(b.Root, x, Nabla.Calculus.DerivativeKind.Gradient);
        var e = Assert.Throws<Nabla.Diagnostics.NablaException>(() => GradientCheck.Check(b.Root, x, g.Matrix, Nabla.Calculus.DerivativeKind.Gradient, b.Variables));
        Assert.Equal("limit_exceeded", e.Diagnostic.Code);
    }

    [Fact]
    public void A_large_variable_is_checked_along_directions_and_a_wrong_formula_still_fails()
    {
        var b = Nabla.Semantics.Binder.Bind("x'*A*x", new Nabla.Semantics.BindOptions { Declarations = new Dictionary<string, Nabla.Semantics.VarType> { ["x"] = Nabla.Semantics.VarType.Parse("vector(300)") } });
        var x = b.Variable("x")!;
        var right = Nabla.Api.Derivation.Compute(b.Root, x, Nabla.Calculus.DerivativeKind.Gradient).Matrix;
        var report = GradientCheck.Check(b.Root, x, right, Nabla.Calculus.DerivativeKind.Gradient, b.Variables);
        Assert.True(report.Passed && report.Directional, report.ToString());
        var a = b.Variable("A")!;
        var wrong = new Nabla.Expressions.Mul([new Nabla.Expressions.Num(2), a, x]); // 2*A*x: right only for a symmetric A
        Assert.False(GradientCheck.Check(b.Root, x, wrong, Nabla.Calculus.DerivativeKind.Gradient, b.Variables).Passed);
    }
}
