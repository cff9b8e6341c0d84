using System.Net;
using System.Text;

namespace Nabla.Web.Tests;

/// <summary>Every response carries a strict Content-Security-Policy; the page and KaTeX are served by Nabla itself.</summary>
public sealed class HeaderTests(NablaFactory factory) : IClassFixture<NablaFactory>
{
    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/app.js")]
    [InlineData("GET", "/app.css")]
    [InlineData("GET", "/katex/katex.min.js")]
    [InlineData("GET", "/no/such/file")]
    [InlineData("POST", "/api/derive")]
    [InlineData("POST", "/api/check-expr")]
    [InlineData("POST", "/api/check")]
    [InlineData("PUT", "/api/derive")]
    public async Task Every_response_carries_the_security_headers(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent("""{"expr": "x'*x", "wrt": ["x"]}""", Encoding.UTF8, "application/json");
        var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal(NablaServer.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("script-src 'self'", NablaServer.ContentSecurityPolicy);
        Assert.DoesNotContain("unsafe", NablaServer.ContentSecurityPolicy);
    }

    [Fact]
    public async Task The_page_has_no_inline_script_or_style_and_names_no_other_host()
    {
        var html = await factory.CreateClient().GetStringAsync("/");
        Assert.Contains("<script src=\"/katex/katex.min.js\" defer></script>", html);
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", html);
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }

    [Theory]
    [InlineData("/katex/katex.min.js", "text/javascript")]
    [InlineData("/katex/katex.min.css", "text/css")]
    [InlineData("/katex/fonts/KaTeX_Main-Regular.woff2", "font/woff2")]
    [InlineData("/examples.js", "text/javascript")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public async Task KaTeX_and_the_assets_are_served_from_the_assembly(string path, string type)
    {
        var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100);
    }

    [Fact]
    public async Task Every_font_the_katex_style_sheet_names_first_is_served()
    {
        var client = factory.CreateClient();
        var css = await client.GetStringAsync("/katex/katex.min.css");
        var fonts = System.Text.RegularExpressions.Regex.Matches(css, @"url\((fonts/[^)]+\.woff2)\)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.True(fonts.Count >= 15);
        foreach (var f in fonts)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/katex/" + f)).StatusCode);
    }

    [Fact]
    public async Task An_unchanged_asset_is_not_sent_again()
    {
        var client = factory.CreateClient();
        var first = await client.GetAsync("/app.js");
        var again = new HttpRequestMessage(HttpMethod.Get, "/app.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }
}
