using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nabla.Diagnostics;
using Nabla.Protocol;

namespace Nabla.Web;

/// <summary>
/// The JSON endpoints. <c>/api/derive</c> takes and returns exactly the protocol's objects (spec section 5);
/// <c>/api/check-expr</c> and <c>/api/check</c> are the page's helpers. The HTTP status reports the transport
/// (413 too big, 503 busy); the body reports the derivation, <c>ok</c> true or false, with the protocol's codes.
/// </summary>
internal static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app, WebOptions options)
    {
        var gate = new WorkGate(options);
        app.MapPost("/api/derive", (HttpContext ctx) => Serve(ctx, options, gate, options.Derive, numeric: false));
        app.MapPost("/api/check-expr", (HttpContext ctx) => Serve(ctx, options, gate, PageHelpers.CheckExpression, numeric: false));
        app.MapPost("/api/check", (HttpContext ctx) => Serve(ctx, options, gate, options.Check, numeric: true));
        // Any other method on the API: 405 with the one it takes (a GET typed into the address bar, say).
        app.MapMethods("/api/{name}", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch], async (HttpContext ctx) =>
        {
            ctx.Response.Headers.Allow = "POST";
            await Write(ctx, StatusCodes.Status405MethodNotAllowed, Error(null, ErrorCodes.BadRequest,
                $"{ctx.Request.Path} takes POST with a JSON body, not {ctx.Request.Method}"));
        });
    }

    private static async Task Serve(HttpContext ctx, WebOptions options, WorkGate gate, Func<JsonObject, JsonObject> handler, bool numeric)
    {
        // Work starts only for JSON: a cross-site form or text post (which a browser sends without asking) is refused.
        if (!IsJson(ctx.Request.ContentType))
        {
            await Write(ctx, StatusCodes.Status415UnsupportedMediaType, Error(null, ErrorCodes.BadRequest,
                $"the request body must be JSON, sent with Content-Type: application/json (not '{ctx.Request.ContentType}')"));
            return;
        }
        var body = await RequestBody.ReadAsync(ctx.Request, options.MaxBodyBytes, ctx.RequestAborted);
        if (body is null)
        {
            await Write(ctx, StatusCodes.Status413PayloadTooLarge, Error(null, ErrorCodes.LimitExceeded,
                $"the request body is over the limit of {options.MaxBodyBytes:N0} bytes"));
            return;
        }

        string text;
        try { text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body); }
        catch (System.Text.DecoderFallbackException)
        {
            await Write(ctx, 200, Error(null, ErrorCodes.BadRequest, "the request body is not valid UTF-8"));
            return;
        }
        var (request, refusal) = RequestHandler.ParseRequest(text);
        if (request is null)
        {
            await Write(ctx, 200, refusal!);
            return;
        }

        var id = request["id"]?.DeepClone();
        var (outcome, response) = await gate.RunAsync(() => Guarded(handler, request), ctx.RequestAborted, CostEstimate.IsHeavy(request, numeric));
        switch (outcome)
        {
            case GateOutcome.Done:
                await Write(ctx, 200, response!);
                break;
            case GateOutcome.TimedOut:
                await Write(ctx, 200, Error(id, ErrorCodes.LimitExceeded,
                    $"the work took longer than the time limit of {options.TimeBudget.TotalSeconds:0.###} s and was abandoned"));
                break;
            default:
                ctx.Response.Headers.RetryAfter = "1";
                await Write(ctx, StatusCodes.Status503ServiceUnavailable, Error(id, ErrorCodes.LimitExceeded,
                    "the server is busy; try again in a moment"));
                break;
        }
        MemoryReturn.AfterRequest();
    }

    /// <summary>The last line of defence, as in the JSON Lines front end: every request gets a protocol answer.</summary>
    private static JsonObject Guarded(Func<JsonObject, JsonObject> handler, JsonObject request)
    {
        try
        {
            return handler(request);
        }
        catch (Exception e) when (NablaException.Find(e) is { } d)
        {
            return Error(request["id"]?.DeepClone(), d.Code, d.Message, d.Span);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var d = RequestHandler.InternalError(e);
            return Error(request["id"]?.DeepClone(), d.Code, d.Message);
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    internal static JsonObject Error(JsonNode? id, string code, string message, Diagnostics.TextSpan? span = null)
    {
        var err = new JsonObject { ["code"] = code, ["message"] = message };
        if (span is { } s) { err["start"] = s.Start; err["end"] = s.End; }
        return new JsonObject { ["id"] = id, ["ok"] = false, ["error"] = err };
    }

    private static async Task Write(HttpContext ctx, int status, JsonObject body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        await ctx.Response.Body.WriteAsync(RequestHandler.SerializeUtf8(body), ctx.RequestAborted);
    }
}
