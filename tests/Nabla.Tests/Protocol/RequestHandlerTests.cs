using System.Text.Json.Nodes;
using Nabla.Protocol;

namespace Nabla.Tests.Protocol;

public class RequestHandlerTests
{
    private static JsonObject Ask(string line) => (JsonObject)JsonNode.Parse(RequestHandler.HandleLine(line))!;

    private static (string Code, string Message, int? Start, int? End) Error(JsonObject r)
    {
        Assert.False((bool)r["ok"]!);
        var e = r["error"]!;
        return ((string)e["code"]!, (string)e["message"]!, (int?)e["start"], (int?)e["end"]);
    }

    [Fact]
    public void The_contract_example_answers_as_specified()
    {
        var r = Ask("""{"id": 7, "expr": "x'*A*x", "vars": {"x": "vector", "A": "matrix"}, "wrt": ["x"], "derivative": "gradient", "at": {"x": [1, 2], "A": [[1, 2], [3, 4]]}}""");
        Assert.Equal(7, (int)r["id"]!);
        Assert.True((bool)r["ok"]!);
        Assert.Equal("scalar", (string)r["type"]!);
        Assert.Empty(r["shape"]!.AsArray());
        Assert.Equal("x'*A*x", (string)r["text"]!);
        Assert.Equal(27.0, (double)r["value"]!);
        var g = r["results"]![0]!;
        Assert.Equal("x", (string)g["wrt"]!);
        Assert.Equal("gradient", (string)g["derivative"]!);
        Assert.Equal("[2]", g["shape"]!.ToJsonString());
        Assert.Equal("(A+A')*x", (string)g["text"]!);
        Assert.Equal("\\left(A+A^{T}\\right)x", (string)g["latex"]!);
        Assert.Equal("[12,21]", g["value"]!.ToJsonString());
    }

    [Fact]
    public void Shapes_are_symbolic_without_values_and_concrete_with_them()
    {
        var r = Ask("""{"expr": "A*x"}""");
        Assert.Equal("vector", (string)r["type"]!);
        Assert.Equal("[\"n\"]", r["shape"]!.ToJsonString());
        var m = Ask("""{"expr": "x*y'", "at": {"x": [1, 2, 3], "y": [1, 2]}}""");
        Assert.Equal("matrix", (string)m["type"]!);
        Assert.Equal("[3,2]", m["shape"]!.ToJsonString());
        Assert.Equal("[[1,2],[2,4],[3,6]]", m["value"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"id": "s"}""", "the field 'expr' (a string) is required")]
    [InlineData("""{"expr": 3}""", "the field 'expr' (a string) is required")]
    [InlineData("""{"expr": "x", "dervative": "gradient"}""", "unknown field 'dervative'; the fields are id, expr, vars, wrt, derivative, at, steps, emit, function, convexity")]
    [InlineData("""{"expr": "x", "vars": ["x"]}""", "'vars' must be an object such as {\"x\": \"vector\"}")]
    [InlineData("""{"expr": "x", "vars": {"x": "vectr"}}""", "bad type 'vectr': the types are scalar, vector, vector(n), matrix, matrix(m,n), symmetric and symmetric(n), each optionally followed by positive (not symmetric), and spd, spd(n), psd, psd(n)")]
    [InlineData("""{"expr": "x", "vars": {"x": "matrix(3)"}}""", "bad type 'matrix(3)': matrix takes two dimensions, as in matrix(m,n)")]
    [InlineData("""{"expr": "x", "wrt": [1]}""", "'wrt' must be a list of variable names")]
    [InlineData("""{"expr": "x'*x", "wrt": ["x"], "derivative": "laplacian"}""", "unknown derivative 'laplacian': use gradient, jacobian or hessian")]
    [InlineData("""{"expr": "x'*x", "at": {"x": [[1, 2], [3]]}}""", "at.x: row 1 has 1 entries, but row 0 has 2")]
    [InlineData("""{"expr": "x'*x", "at": {"x": [1, [2]]}}""", "at.x mixes numbers and arrays; a vector is [1, 2], a matrix [[1, 2], [3, 4]]")]
    [InlineData("""{"expr": "x'*x", "at": {"x": []}}""", "at.x is an empty array")]
    [InlineData("""{"expr": "x'*x", "at": {"x": ["a"]}}""", "at.x[0] is not a number")]
    [InlineData("""{"expr": "x'*y", "at": {"x": [1, 2]}}""", "'at' gives no value for y")]
    [InlineData("""{"expr": "x", "steps": "yes"}""", "'steps' must be true or false")]
    [InlineData("[1, 2]", "the request must be a JSON object such as {\"expr\": \"x'*x\"}")]
    public void Bad_requests_say_what_is_wrong(string line, string message)
    {
        var (code, msg, _, _) = Error(Ask(line));
        Assert.Equal("bad_request", code);
        Assert.Equal(message, msg);
    }

    [Fact]
    public void Invalid_json_is_a_bad_request_with_no_id()
    {
        var r = Ask("{\"expr\": ");
        Assert.Null(r["id"]);
        var (code, msg, _, _) = Error(r);
        Assert.Equal("bad_request", code);
        Assert.StartsWith("the request is not valid JSON", msg);
    }

    [Theory]
    [InlineData("""{"id": 1, "expr": "2x"}""", "parse_error", 0, 2)]
    [InlineData("""{"id": 1, "expr": "x*y"}""", "shape_error", 0, 3)]
    [InlineData("""{"id": 1, "expr": "exq(x)"}""", "unknown_function", 0, 3)]
    [InlineData("""{"id": 1, "expr": "x'*A*x + (("}""", "parse_error", 11, 11)]
    public void Expression_errors_carry_code_and_span(string line, string code, int start, int end)
    {
        var r = Ask(line);
        Assert.Equal(1, (int)r["id"]!);
        var e = Error(r);
        Assert.Equal(code, e.Code);
        Assert.Equal(start, e.Start);
        Assert.Equal(end, e.End);
    }

    [Fact]
    public void Values_outside_a_domain_are_domain_errors_not_nan()
    {
        Assert.Equal("domain_error", Error(Ask("""{"expr": "sum(log(x))", "at": {"x": [1, -2]}}""")).Code);
        Assert.Equal("domain_error", Error(Ask("""{"expr": "tr(inv(A))", "at": {"A": [[1, 2], [2, 4]]}}""")).Code);
        Assert.Equal("domain_error", Error(Ask("""{"expr": "a/b", "at": {"a": 1, "b": 0}}""")).Code);
    }

    [Fact]
    public void A_gradient_of_a_vector_objective_is_not_differentiable()
    {
        var e = Error(Ask("""{"expr": "A*x", "wrt": ["x"], "derivative": "gradient"}"""));
        Assert.Equal("not_differentiable", e.Code);
        Assert.Contains("jacobian", e.Message);
    }

    [Fact]
    public void A_vector_objective_defaults_to_the_jacobian()
    {
        var r = Ask("""{"expr": "A*x", "wrt": ["x"], "at": {"A": [[1, 2], [3, 4]], "x": [1, 1]}}""");
        var g = r["results"]![0]!;
        Assert.Equal("jacobian", (string)g["derivative"]!);
        Assert.Equal("A", (string)g["text"]!);
        Assert.Equal("[[1,2],[3,4]]", g["value"]!.ToJsonString());
    }

    [Fact]
    public void A_variable_the_objective_lacks_has_a_zero_derivative()
    {
        var r = Ask("""{"expr": "x'*x", "wrt": ["y"], "vars": {"y": "vector(3)"}}""");
        var g = r["results"]![0]!;
        Assert.Equal("vector(0)", (string)g["text"]!);
        Assert.Equal("[3]", g["shape"]!.ToJsonString());
    }

    [Fact]
    public void Ids_of_any_json_type_are_echoed()
    {
        Assert.Equal("\"abc\"", Ask("""{"id": "abc", "expr": "x"}""")["id"]!.ToJsonString());
        Assert.Equal("{\"k\":[1,2]}", Ask("""{"id": {"k": [1, 2]}, "expr": "x"}""")["id"]!.ToJsonString());
        Assert.Equal("{\"k\":1}", Ask("""{"id": {"k": 1}, "expr": "x*y"}""")["id"]!.ToJsonString());
    }

    [Fact]
    public void An_oversized_request_is_refused_quickly()
    {
        var line = "{\"expr\": \"" + new string('x', RequestHandler.MaxLineLength) + "\"}";
        Assert.Equal("limit_exceeded", Error(Ask(line)).Code);
        var expr = "{\"expr\": \"" + string.Concat(Enumerable.Repeat("x+", 40_000)) + "x\"}";
        Assert.Equal("limit_exceeded", Error(Ask(expr)).Code);
    }

    [Fact]
    public void Deeply_nested_json_is_a_bad_request()
    {
        var line = new string('[', 5000) + new string(']', 5000);
        Assert.Equal("bad_request", Error(Ask(line)).Code);
    }
}
