using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Nabla.Web;

/// <summary>
/// The page and KaTeX, embedded in this assembly at build time (resources named <c>site/…</c>) and served
/// from memory: no file system access at run time, no CDN.
/// </summary>
internal static class StaticAssets
{
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly Lazy<FrozenDictionary<string, Asset>> All = new(Load);

    /// <summary>The paths served, e.g. <c>/app.js</c> and <c>/katex/katex.min.js</c>.</summary>
    public static IEnumerable<string> Paths => All.Value.Keys;

    public static void Map(IEndpointRouteBuilder app)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/", methods, (HttpContext ctx) => Serve(ctx, "/index.html"));
        // A plain RequestDelegate (the route value read by hand), so that no delegate is bound by reflection: AOT-clean.
        app.MapMethods("/{**path}", methods, (HttpContext ctx) => Serve(ctx, "/" + (ctx.Request.RouteValues["path"] as string ?? "")));
    }

    private static Task Serve(HttpContext ctx, string path)
    {
        if (!All.Value.TryGetValue(path, out var asset))
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            return ctx.Response.WriteAsync("not found");
        }
        ctx.Response.Headers.ETag = asset.ETag;
        // The page itself must revalidate (it names the scripts); fonts and KaTeX change only with a new build.
        ctx.Response.Headers.CacheControl = path.StartsWith("/katex/", StringComparison.Ordinal) ? "public, max-age=86400" : "no-cache";
        if (ctx.Request.Headers.IfNoneMatch == asset.ETag)
        {
            ctx.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        ctx.Response.ContentType = asset.ContentType;
        ctx.Response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : ctx.Response.Body.WriteAsync(asset.Bytes).AsTask();
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        var result = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith("site/", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"";
            result[name["site".Length..]] = new Asset(bytes, ContentType(name), etag);
        }
        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".woff2" => "font/woff2",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
