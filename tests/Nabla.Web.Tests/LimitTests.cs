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

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
