using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Nabla.Web.Tests;

/// <summary>
/// Requests a careful attacker sends (issue 13): work starts only for JSON bodies, a key given twice or a lone
/// surrogate is a bad_request that keeps the id, HEAD works, and the Host header must name this server.
/// </summary>
public sealed class HostileRequestTests(NablaFactory factory) : IClassFixture<NablaFactory>
{
    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_body_that_is_not_declared_json_starts_no_work(string contentType)
    {
        var content = new StringContent("""{"expr": "x'*x", "wrt": ["x"]}""", Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        var response = await factory.CreateClient().PostAsync("/api/derive", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("bad_request", (string)body["error"]!["code"]!);
        Assert.Contains("application/json", (string)body["error"]!["message"]!);
    }

    [Theory]
    [InlineData("""{"id": 7, "expr": "x", "expr": "y"}""", "the key 'expr' is given twice in the request")]
    [InlineData("""{"id": 7, "expr": "\ud800"}""", "a string in 'expr' is not valid Unicode")]
    [InlineData("""{"id": 7, "expr": "x", "vars": {"x": "vector", "x": "scalar"}}""", "the key 'x' is given twice in 'vars'")]
    public async Task Duplicate_keys_and_lone_surrogates_are_bad_requests_with_the_id(string request, string message)
    {
        var (response, body) = await NablaFactory.PostAsync(factory.CreateClient(), "/api/derive", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(7, (int)body["id"]!);
        Assert.Equal("bad_request", (string)body["error"]!["code"]!);
        Assert.StartsWith(message, (string)body["error"]!["message"]!);
    }

    [Theory]
    [InlineData("GET", "/api/derive")]
    [InlineData("PUT", "/api/check")]
    public async Task Another_method_on_the_api_gets_405_with_allow_post(string method, string path)
    {
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_a_bad_request()
    {
        var content = new ByteArrayContent([0x7B, 0x22, 0x65, 0x78, 0x70, 0x72, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]); // {"expr":"\xFF\xFE"}
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var response = await factory.CreateClient().PostAsync("/api/derive", content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("bad_request", (string)body["error"]!["code"]!);
        Assert.Equal("the request body is not valid UTF-8", (string)body["error"]!["message"]!);
    }

    [Fact]
    public async Task Head_of_the_page_works()
    {
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Content.Headers.ContentLength > 0);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "localhost", true)]
    [InlineData("http://127.0.0.1:5080", "127.0.0.1", true)]
    [InlineData("http://127.0.0.1:5080", "::1", true)]
    [InlineData("http://127.0.0.1:5080", "evil.example", false)]
    [InlineData("http://localhost:5080", "rebind.attacker.test", false)]
    [InlineData("http://nabla.internal:80", "nabla.internal", true)]
    [InlineData("http://nabla.internal:80", "other.internal", false)]
    public void The_host_header_must_name_an_address_the_server_serves(string urls, string host, bool allowed)
    {
        var hosts = NablaServer.AllowedHosts(urls);
        Assert.NotNull(hosts);
        Assert.Equal(allowed, hosts!.Contains(host));
    }

    [Fact]
    public void An_address_on_every_interface_accepts_any_host() =>
        Assert.Null(NablaServer.AllowedHosts("http://0.0.0.0:5080"));
}

/// <summary>The Host check on a real server on loopback (DNS rebinding: a foreign name that resolves to 127.0.0.1).</summary>
public sealed class HostHeaderTests
{
    [Fact]
    public async Task A_foreign_host_name_is_refused_and_loopback_names_are_served()
    {
        using var host = NablaServer.CreateHostBuilder(new WebOptions(), "http://127.0.0.1:0").Build();
        await host.StartAsync();
        try
        {
            var address = host.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            var foreign = new HttpRequestMessage(HttpMethod.Get, "/");
            foreign.Headers.Host = "rebind.attacker.test";
            var refused = await client.SendAsync(foreign);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("is not an address this server serves", await refused.Content.ReadAsStringAsync());
            var local = new HttpRequestMessage(HttpMethod.Get, "/");
            local.Headers.Host = "localhost";
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(local)).StatusCode);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
