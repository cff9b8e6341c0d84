using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Nabla.Web.Tests;

/// <summary>
/// The server in process (Microsoft.AspNetCore.Mvc.Testing's test host), built by the same
/// <see cref="NablaServer.CreateHostBuilder"/> that `nabla serve` uses. The entry point type is the factory
/// itself: the test assembly has one (the test SDK's Main), the class library does not.
/// </summary>
public sealed class NablaFactory : WebApplicationFactory<NablaFactory>
{
    private readonly WebOptions options;

    public NablaFactory() : this(new WebOptions()) { }

    internal NablaFactory(WebOptions options) => this.options = options;

    protected override IHostBuilder CreateHostBuilder() => NablaServer.CreateHostBuilder(options, urls: null);

    // The factory guesses a content root from the solution's layout; Nabla serves nothing from disk, so any folder does.
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);

    public static async Task<(HttpResponseMessage Response, JsonObject Body)> PostAsync(HttpClient client, string path, string body)
    {
        var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        return (response, json!);
    }
}
