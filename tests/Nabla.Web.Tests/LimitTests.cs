using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Nabla.Web.Tests;

/// <summary>Hostile use: big bodies, slow work, too many requests at once, and the headers on every answer.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task A_body_over_the_limit_is_413_with_a_protocol_error()
    {
        using var factory = new NablaFactory(new WebOptions { MaxBodyBytes = 1000 });
        var body = new JsonObject { ["id"] = 1, ["expr"] = "x'*x + " + string.Join("+", Enumerable.Repeat("x'*x", 300)) }.ToJsonString();
        var (response, json) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/derive", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("limit_exceeded", (string)json["error"]!["code"]!);
        Assert.NotNull(response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_streamed_body_without_a_length_is_cut_off_at_the_limit_too()
    {
        using var factory = new NablaFactory(new WebOptions { MaxBodyBytes = 1000 });
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"expr\": \"" + new string('x', 5000) + "\"}")));
        content.Headers.ContentLength = null;
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/derive") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_served()
    {
        using var factory = new NablaFactory(new WebOptions { MaxBodyBytes = 1000 });
        var (response, json) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/derive", """{"expr": "x'*x", "wrt": ["x"]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)json["ok"]!);
    }

    [Fact]
    public async Task Work_past_the_time_budget_is_abandoned_and_answered_limit_exceeded()
    {
        using var release = new ManualResetEventSlim();
        using var factory = new NablaFactory(new WebOptions
        {
            TimeBudget = TimeSpan.FromMilliseconds(200),
            Derive = r => { release.Wait(TimeSpan.FromSeconds(30)); return Protocol.RequestHandler.Handle(r); },
        });
        var started = DateTime.UtcNow;
        var (response, json) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/derive", """{"id": 42, "expr": "x'*x", "wrt": ["x"]}""");
        release.Set();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((bool)json["ok"]!);
        Assert.Equal(42, (int)json["id"]!);
        Assert.Equal("limit_exceeded", (string)json["error"]!["code"]!);
        Assert.Contains("time limit", (string)json["error"]!["message"]!);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_real_derivation_over_a_tiny_budget_is_limit_exceeded()
    {
        using var factory = new NablaFactory(new WebOptions { TimeBudget = TimeSpan.FromTicks(1) });
        var expr = string.Join("+", Enumerable.Range(0, 200).Select(i => $"tr(inv(A{i})*B*A{i}')"));
        var (_, json) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/derive",
            new JsonObject { ["expr"] = expr, ["wrt"] = new JsonArray("B") }.ToJsonString());
        Assert.Equal("limit_exceeded", (string)json["error"]!["code"]!);
    }

    [Fact]
    public async Task Concurrency_is_bounded_and_the_overflow_is_told_the_server_is_busy()
    {
        using var release = new ManualResetEventSlim();
        int running = 0, most = 0;
        using var factory = new NablaFactory(new WebOptions
        {
            MaxConcurrent = 2,
            MaxQueued = 0,
            QueueTimeout = TimeSpan.FromMilliseconds(100),
            TimeBudget = TimeSpan.FromSeconds(20),
            Derive = r =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                release.Wait(TimeSpan.FromSeconds(20));
                Interlocked.Decrement(ref running);
                return Protocol.RequestHandler.Handle(r);
            },
        });
        var client = factory.CreateClient();
        var tasks = Enumerable.Range(0, 6).Select(_ => NablaFactory.PostAsync(client, "/api/derive", """{"expr": "x'*x", "wrt": ["x"]}""")).ToList();
        // Hold both slots until an overflowing request has been answered (no fixed sleep: robust on a loaded machine).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !tasks.Any(t => t.IsCompleted)) await Task.Delay(20);
        release.Set();
        var answers = await Task.WhenAll(tasks);
        Assert.True(most <= 2, $"{most} derivations ran at once");
        var busy = answers.Where(a => a.Response.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, a => Assert.Equal("limit_exceeded", (string)a.Body["error"]!["code"]!));
        Assert.Contains(answers, a => a.Response.StatusCode == HttpStatusCode.OK && (bool)a.Body["ok"]!);
    }

    [Fact]
    public async Task Cheap_requests_are_served_while_heavy_checks_hold_every_slot_they_may()
    {
        // Two slots; heavy checks (a 1000×1000 variable) may take one of them: the second heavy check waits in its
        // lane and a derivation still gets the other slot at once.
        using var release = new ManualResetEventSlim();
        int heavyRunning = 0, mostHeavy = 0;
        using var factory = new NablaFactory(new WebOptions
        {
            MaxConcurrent = 2,
            TimeBudget = TimeSpan.FromSeconds(30),
            QueueTimeout = TimeSpan.FromSeconds(30),
            Check = r =>
            {
                InterlockedMax(ref mostHeavy, Interlocked.Increment(ref heavyRunning));
                release.Wait(TimeSpan.FromSeconds(30));
                Interlocked.Decrement(ref heavyRunning);
                return new System.Text.Json.Nodes.JsonObject { ["id"] = r["id"]?.DeepClone(), ["ok"] = true };
            },
        });
        var client = factory.CreateClient();
        const string heavy = """{"id": 1, "expr": "logdet(X)", "wrt": "X", "vars": {"X": "symmetric(1000)"}}""";
        var checks = Enumerable.Range(0, 2).Select(_ => NablaFactory.PostAsync(client, "/api/check", heavy)).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Volatile.Read(ref heavyRunning) == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (response, json) = await NablaFactory.PostAsync(client, "/api/derive", """{"id": 2, "expr": "x'*A*x", "wrt": "x"}""");
        var took = clock.Elapsed;
        Assert.Equal(1, Volatile.Read(ref heavyRunning)); // the second check is still waiting for its lane
        release.Set();
        var answers = await Task.WhenAll(checks);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)json["ok"]!, json.ToJsonString());
        Assert.True(took < TimeSpan.FromSeconds(10), $"the cheap request took {took}");
        Assert.Equal(1, mostHeavy);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
    }

    [Theory]
    [InlineData("""{"expr": "logdet(X)", "wrt": "X", "vars": {"X": "symmetric(1000)"}}""", true, true)]
    [InlineData("""{"expr": "logdet(X)", "wrt": "X", "vars": {"X": "symmetric(1000)"}}""", false, false)]
    [InlineData("""{"expr": "x'*A*x", "wrt": "x", "vars": {"x": "vector(20000)"}, "at": {"x": [1, 2]}}""", false, false)]
    [InlineData("""{"expr": "x'*x", "wrt": "x", "derivative": "hessian", "at": {"x": [1, 2, 3]}}""", false, false)]
    [InlineData("""{"expr": "x'*A*x", "wrt": "x", "vars": {"A": "matrix(50,50)"}, "convexity": true}""", false, false)]
    [InlineData("""{"expr": "x'*A*x", "wrt": "x", "vars": {"A": "matrix(500,50)"}, "convexity": true}""", false, true)]
    [InlineData("""{"expr": "x'*x", "wrt": "x", "vars": {"x": "vector(99999999999999999999999)"}}""", true, true)]
    [InlineData("""{"expr": "x'*x", "wrt": "x", "vars": {"x": 3}}""", true, false)]
    public void The_cost_estimate_calls_numeric_work_on_large_variables_heavy(string request, bool numericEndpoint, bool heavy) =>
        Assert.Equal(heavy, CostEstimate.IsHeavy(System.Text.Json.Nodes.JsonNode.Parse(request)!.AsObject(), numericEndpoint));

    [Fact]
    public void A_hessian_at_a_thousand_given_values_is_heavy_and_at_ten_is_not()
    {
        JsonObject At(int n) => JsonNode.Parse($$$"""{"expr": "x'*x", "wrt": "x", "derivative": "hessian", "at": {"x": [{{{string.Join(",", Enumerable.Range(0, n))}}}]}}""")!.AsObject();
        Assert.True(CostEstimate.IsHeavy(At(1000), numericEndpoint: false));
        Assert.False(CostEstimate.IsHeavy(At(10), numericEndpoint: false));
    }

    [Fact]
    public void A_long_expression_is_heavy_whatever_is_asked()
    {
        var expr = string.Join("*", Enumerable.Repeat("a", 1500));
        Assert.True(CostEstimate.IsHeavy(new System.Text.Json.Nodes.JsonObject { ["expr"] = expr }, numericEndpoint: false));
    }

    [Fact]
    public async Task A_large_answer_is_followed_by_a_collection_that_gives_the_memory_back()
    {
        using var factory = new NablaFactory();
        var client = factory.CreateClient();
        var x = string.Join(",", Enumerable.Range(0, 1200).Select(i => (Math.Sin(i) * 0.9).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        int before = Volatile.Read(ref MemoryReturn.Collections);
        var (response, json) = await NablaFactory.PostAsync(client, "/api/derive",
            $$$"""{"id": 9, "expr": "log(sum(exp(x)))", "wrt": "x", "derivative": "hessian", "at": {"x": [{{{x}}}]}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)json["ok"]!);
        Assert.Equal(1200, json["results"]![0]!["value"]!.AsArray().Count);
        // the test process's working set is over the threshold once a 30 MB answer has been built: a collection follows
        if (Environment.WorkingSet >= MemoryReturn.Threshold)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Volatile.Read(ref MemoryReturn.Collections) == before && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(Volatile.Read(ref MemoryReturn.Collections) > before, "no collection followed the large answer");
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
