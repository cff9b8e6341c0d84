using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nabla.Web;

/// <summary>
/// Nabla's web server: the page, KaTeX and the JSON API, with security headers on every response.
/// Built on the generic host so that `nabla serve` and the in-process test host share one configuration.
/// </summary>
public static class NablaServer
{
    /// <summary>The default address: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>
    /// No inline script or style, nothing from elsewhere. KaTeX sets sizes through the CSSOM
    /// (<c>element.style</c>), which a style-src policy does not restrict.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>A host for the server; <paramref name="urls"/> null leaves the addresses to the caller (the test host).</summary>
    public static IHostBuilder CreateHostBuilder(WebOptions? options = null, string? urls = DefaultUrls, bool quiet = true)
    {
        options ??= new WebOptions();
        return new HostBuilder()
            .ConfigureLogging(logging =>
            {
                if (!quiet) logging.AddSimpleConsole(o => o.SingleLine = true);
                logging.SetMinimumLevel(LogLevel.Warning);
            })
            .ConfigureWebHost(web =>
            {
                web.UseContentRoot(AppContext.BaseDirectory);
                web.UseKestrel(k =>
                {
                    k.AddServerHeader = false;
                    k.Limits.MaxRequestBodySize = Math.Max(options.MaxBodyBytes * 4L, 1 << 20);
                    k.Limits.MaxConcurrentConnections = 4096;
                    k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
                });
                if (urls is not null) web.UseUrls(urls);
                web.ConfigureServices(services => services.AddRouting());
                var hosts = AllowedHosts(urls);
                web.Configure(app => Configure(app, options, hosts));
            });
    }

    /// <summary>
    /// The Host names the server answers to (null: any): for a loopback address, the loopback names only, so a
    /// page on another site cannot reach the API through DNS rebinding; for a named host, that name.
    /// An address on every interface (0.0.0.0, *, +) cannot know its names, so it accepts any.
    /// </summary>
    internal static HashSet<string>? AllowedHosts(string? urls)
    {
        if (urls is null) return null;
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://any-host").Replace("://+", "://any-host"), UriKind.Absolute, out var uri)) return null;
            var host = uri.Host.Trim('[', ']');
            if (host is "any-host" or "0.0.0.0" or "::") return null;
            if (host is "localhost" || System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip))
                hosts.UnionWith(["localhost", "127.0.0.1", "::1"]);
            else hosts.Add(host);
        }
        return hosts;
    }

    private static void Configure(IApplicationBuilder app, WebOptions options, HashSet<string>? hosts)
    {
        app.Use(async (ctx, next) =>
        {
            if (hosts is not null && !hosts.Contains(ctx.Request.Host.Host.Trim('[', ']')))
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                ctx.Response.ContentType = "application/json; charset=utf-8";
                await ctx.Response.WriteAsync(Protocol.RequestHandler.Serialize(ApiEndpoints.Error(null, Diagnostics.ErrorCodes.BadRequest,
                    $"the Host header '{ctx.Request.Host}' is not an address this server serves ({string.Join(", ", hosts)})")));
                return;
            }
            var headers = ctx.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            await next(ctx);
        });
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            ApiEndpoints.Map(endpoints, options);
            StaticAssets.Map(endpoints);
        });
    }
}
