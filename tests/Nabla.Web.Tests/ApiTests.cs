using System.Net;
using System.Text.Json.Nodes;

namespace Nabla.Web.Tests;

/// <summary>POST /api/derive takes and returns exactly the protocol's objects (spec section 5), every code included.</summary>
public sealed class ApiTests(NablaFactory factory) : IClassFixture<NablaFactory>
{
    private async Task<JsonObject> Derive(string body)
    {
        var (response, json) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/derive", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        return json;
    }

    private static (string Code, string Message, int? Start, int? End) Error(JsonObject r)
    {
        Assert.False((bool)r["ok"]!);
        var e = r["error"]!;
        return ((string)e["code"]!, (string)e["message"]!, (int?)e["start"], (int?)e["end"]);
    }

    /// <summary>Every example the page offers (wwwroot/examples.js) derives without an error, as the page would send it.</summary>
    [Fact]
    public async Task Every_example_on_the_page_derives()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) dir = dir.Parent;
        var js = File.ReadAllText(Path.Combine(dir!.FullName, "src", "Nabla.Web", "wwwroot", "examples.js"));
        var rows = System.Text.RegularExpressions.Regex.Matches(js, @"\{ label: .*\},?\s*$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(rows.Count >= 10, $"{rows.Count} examples found");
        foreach (System.Text.RegularExpressions.Match row in rows)
        {
            string Field(string name) => System.Text.RegularExpressions.Regex.Match(row.Value, name + @": ""([^""]*)""").Groups[1].Value;
            var request = new JsonObject { ["id"] = 1, ["expr"] = Field("expr"), ["wrt"] = new JsonArray(Field("wrt")) };
            if (Field("kind") is { Length: > 0 } kind) request["derivative"] = kind;
            var vars = System.Text.RegularExpressions.Regex.Match(row.Value, @"vars: \{([^}]*)\}");
            if (vars.Success)
            {
                var o = new JsonObject();
                foreach (System.Text.RegularExpressions.Match kv in System.Text.RegularExpressions.Regex.Matches(vars.Groups[1].Value, @"(\w+): ""([^""]*)"""))
                    o[kv.Groups[1].Value] = kv.Groups[2].Value;
                request["vars"] = o;
            }
            var r = await Derive(request.ToJsonString());
            Assert.True((bool)r["ok"]!, $"{Field("label")}: {r.ToJsonString()}");
        }
    }

    [Fact]
    public async Task The_spec_example_round_trips()
    {
        var r = await Derive("""{"id": 7, "expr": "x'*A*x", "vars": {"x": "vector", "A": "matrix"}, "wrt": ["x"], "derivative": "gradient", "at": {"x": [1, 2], "A": [[1, 2], [3, 4]]}}""");
        Assert.Equal(7, (int)r["id"]!);
        Assert.True((bool)r["ok"]!);
        Assert.Equal("scalar", (string)r["type"]!);
        Assert.Equal(27.0, (double)r["value"]!);
        var g = r["results"]![0]!;
        Assert.Equal("(A+A')*x", (string)g["text"]!);
        Assert.Equal("\\left(A+A^{T}\\right)x", (string)g["latex"]!);
        Assert.Equal("[12,21]", g["value"]!.ToJsonString());
    }

    [Fact]
    public async Task The_answer_is_the_json_lines_protocols_answer_byte_for_byte()
    {
        const string request = """{"id": "s", "expr": "tr(A*B)", "wrt": ["A", "B"]}""";
        var client = factory.CreateClient();
        var response = await client.PostAsync("/api/derive", new StringContent(request, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(Protocol.RequestHandler.HandleLine(request), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"expr": "x'*A*x", "vars": {"A": "symmetric"}, "wrt": ["x"]}""", "2*A*x")]
    [InlineData("""{"expr": "(y-X*w)'*(y-X*w)", "wrt": ["w"], "derivative": "hessian"}""", "2*X'*X")]
    [InlineData("""{"expr": "A*x", "wrt": ["x"], "derivative": "jacobian"}""", "A")]
    [InlineData("""{"expr": "det(A)", "wrt": ["A"]}""", "det(A)*inv(A)'")]
    public async Task Gradients_hessians_and_jacobians_come_back_in_results(string body, string text)
    {
        var r = await Derive(body);
        Assert.True((bool)r["ok"]!, r.ToJsonString());
        Assert.Equal(text, (string)r["results"]![0]!["text"]!);
    }

    [Theory]
    [InlineData("{\"expr\": ", "bad_request")]
    [InlineData("[1, 2]", "bad_request")]
    [InlineData("""{"wrt": ["x"]}""", "bad_request")]
    [InlineData("""{"expr": "x", "colour": "red"}""", "bad_request")]
    [InlineData("""{"id": 1, "expr": "2x"}""", "parse_error")]
    [InlineData("""{"id": 1, "expr": "exq(x)"}""", "unknown_function")]
    [InlineData("""{"id": 1, "expr": "u'*v*w", "wrt": ["u"]}""", "ambiguous_type")]
    [InlineData("""{"id": 1, "expr": "x*y"}""", "shape_error")]
    [InlineData("""{"id": 1, "expr": "A*x", "wrt": ["x"], "derivative": "gradient"}""", "not_differentiable")]
    [InlineData("""{"id": 1, "expr": "tr(A^5000)", "wrt": ["A"]}""", "unsupported")]
    [InlineData("""{"id": 1, "expr": "sum(log(x))", "at": {"x": [1, -2]}}""", "domain_error")]
    public async Task Every_error_code_comes_back_as_a_protocol_error(string body, string code)
    {
        var r = await Derive(body);
        Assert.Equal(code, Error(r).Code);
        if (body.Contains("\"id\": 1")) Assert.Equal(1, (int)r["id"]!);
    }

    [Fact]
    public async Task Expression_errors_carry_their_span()
    {
        var (code, message, start, end) = Error(await Derive("""{"expr": "x*y"}"""));
        Assert.Equal("shape_error", code);
        Assert.Contains("cannot multiply", message);
        Assert.Equal((0, 3), (start, end));
    }

    [Fact]
    public async Task Too_deep_nesting_is_limit_exceeded()
    {
        var expr = new string('(', 5000) + "x" + new string(')', 5000);
        var r = await Derive(new JsonObject { ["expr"] = expr }.ToJsonString());
        Assert.Equal("limit_exceeded", Error(r).Code);
    }

    [Fact]
    public async Task Check_expr_lists_the_variables_with_their_types()
    {
        var (_, r) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/check-expr",
            """{"expr": "log(1+exp(-y*<w,x>))", "wrt": ["w"]}""");
        Assert.True((bool)r["ok"]!, r.ToJsonString());
        var vars = r["variables"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => (string)v!["type"]!);
        Assert.Equal(new Dictionary<string, string> { ["y"] = "scalar", ["w"] = "vector", ["x"] = "vector" }, vars);

        (_, r) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/check-expr", """{"expr": "x'*A*x", "vars": {"A": "symmetric"}}""");
        var a = r["variables"]!.AsArray().Single(v => (string)v!["name"]! == "A")!;
        Assert.Equal("symmetric", (string)a["type"]!);
        Assert.Equal("declared", (string)a["origin"]!);
    }

    [Fact]
    public async Task Check_expr_reports_errors_with_spans()
    {
        var (_, r) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/check-expr", """{"expr": "x'*A*x + (("}""");
        var (code, _, start, _) = Error(r);
        Assert.Equal("parse_error", code);
        Assert.Equal(11, start);
    }

    [Fact]
    public async Task Check_expr_still_lists_the_names_when_the_types_clash()
    {
        var (_, r) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/check-expr", """{"expr": "x*y + b", "vars": {"b": "vector"}}""");
        Assert.Equal("shape_error", Error(r).Code);
        var vars = r["variables"]!.AsArray().Select(v => $"{v!["name"]}:{v["type"]}:{v["origin"]}");
        Assert.Equal(["x:vector:convention", "y:vector:convention", "b:vector:declared"], vars);
    }

    [Theory]
    [InlineData("""{"expr": "x'*A*x", "wrt": ["x"]}""")]
    [InlineData("""{"expr": "det(A)", "wrt": ["A"]}""")]
    [InlineData("""{"expr": "(y-X*w)'*(y-X*w)", "wrt": ["w"], "derivative": "hessian"}""")]
    public async Task Check_compares_with_finite_differences(string body)
    {
        var (_, r) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/check", body);
        Assert.True((bool)r["ok"]!, r.ToJsonString());
        var result = r["results"]![0]!;
        Assert.True((bool)result["passed"]!);
        Assert.True((double)result["maxRelativeError"]! < 1e-5);
        Assert.Equal(3, (int)result["trials"]!);
    }

    [Fact]
    public async Task Check_without_a_variable_is_a_bad_request()
    {
        var (_, r) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/check", """{"expr": "x'*x"}""");
        Assert.Equal("bad_request", Error(r).Code);
    }

    [Theory]
    [InlineData("GET", "/api/derive")]
    [InlineData("PUT", "/api/derive")]
    public async Task Only_post_derives(string method, string path)
    {
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.True(response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, response.StatusCode.ToString());
    }
}
