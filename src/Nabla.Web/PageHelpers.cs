using Nabla.Checking;
using Nabla.Calculus;
using System.Text.Json.Nodes;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Numerics;
using Nabla.Protocol;
using Nabla.Semantics;
using Nabla.Syntax;

namespace Nabla.Web;

/// <summary>
/// The page's two helpers beside the protocol. They take the protocol's request fields
/// (<c>expr</c>, <c>vars</c>, <c>wrt</c>, <c>derivative</c>) and answer in the protocol's style:
/// <c>ok</c> with the data, or <c>ok: false</c> with an <c>error</c> object carrying a code and a span.
/// </summary>
internal static class PageHelpers
{
    /// <summary>Type-checks the expression and lists its variables with their types and where each came from.</summary>
    public static JsonObject CheckExpression(JsonObject request)
    {
        var (text, options, _, _) = ReadRequest(request);
        BoundExpression bound;
        try
        {
            bound = Binder.Bind(text, options);
        }
        catch (NablaException e) when (e.Diagnostic.Code != ErrorCodes.ParseError)
        {
            // The expression parses but does not type: still list its names, typed as declared or by the
            // naming convention, so that the page can offer the types that would fix it.
            var error = ApiEndpoints.Error(request["id"]?.DeepClone(), e.Diagnostic.Code, e.Diagnostic.Message, e.Diagnostic.Span);
            error["variables"] = UntypedVariables(text, options);
            return error;
        }
        var variables = new JsonArray();
        foreach (var v in bound.Variables)
        {
            variables.Add((JsonNode)new JsonObject
            {
                ["name"] = v.Name,
                // a declared domain (spd, vector positive, …) is part of the type the page shows and sends back
                ["type"] = options.Declarations.TryGetValue(v.Name, out var dt) && dt.Domain != VarDomain.Any ? dt.ToString()
                    : v.Symmetric ? "symmetric" : v.Shape.TypeName,
                ["shape"] = JsonValues.ShapeJson(v.Shape),
                ["origin"] = bound.Origins.TryGetValue(v.Name, out var o) ? o.ToString().ToLowerInvariant() : "inferred",
            });
        }
        return new JsonObject
        {
            ["id"] = request["id"]?.DeepClone(),
            ["ok"] = true,
            ["type"] = bound.Root.Shape.TypeName,
            ["shape"] = JsonValues.ShapeJson(bound.Root.Shape),
            ["text"] = Printing.TextPrinter.Print(bound.Root),
            ["variables"] = variables,
        };
    }

    /// <summary>Derives, then compares with central finite differences at random domain-aware points.</summary>
    public static JsonObject CheckNumerically(JsonObject request)
    {
        var (text, options, wrt, kind) = ReadRequest(request);
        if (wrt.Count == 0) throw new NablaException(ErrorCodes.BadRequest, "'wrt' must name the variable to differentiate by");
        var bound = Binder.Bind(text, options);
        var results = new JsonArray();
        foreach (var name in wrt)
        {
            var x = Derivation.WrtVariable(bound, name, options);
            var k = kind ?? (bound.Root.Shape.IsScalar ? DerivativeKind.Gradient : DerivativeKind.Jacobian);
            var d = Derivation.Compute(bound.Root, x, k);
            var report = d.Index is { } index
                ? GradientCheck.CheckIndex(bound.Root, x, index, k, bound.Variables)
                : GradientCheck.Check(bound.Root, x, d.Matrix, k, bound.Variables);
            results.Add((JsonNode)new JsonObject
            {
                ["wrt"] = name,
                ["derivative"] = Derivatives.KindName(k),
                ["maxRelativeError"] = double.IsFinite(report.MaxRelativeError) ? report.MaxRelativeError : null,
                ["trials"] = report.Trials,
                ["passed"] = report.Passed,
                ["inconclusive"] = report.IsInconclusive,
                ["discarded"] = report.Inconclusive,
            });
        }
        return new JsonObject { ["id"] = request["id"]?.DeepClone(), ["ok"] = true, ["results"] = results };
    }

    private static JsonArray UntypedVariables(string text, BindOptions options)
    {
        var names = Binder.Names(Parser.Parse(text));
        var result = new JsonArray();
        foreach (var name in names)
        {
            bool declared = options.Declarations.TryGetValue(name, out var t);
            result.Add((JsonNode)new JsonObject
            {
                ["name"] = name,
                ["type"] = (declared ? t!.Kind : VarType.Convention(name)).ToString().ToLowerInvariant(),
                ["shape"] = null,
                ["origin"] = declared ? "declared" : "convention",
            });
        }
        return result;
    }

    private static (string Text, BindOptions Options, List<string> Wrt, DerivativeKind? Kind) ReadRequest(JsonObject request)
    {
        var (text, declarations, wrt, kind) = RequestHandler.ReadFields(request);
        if (text.Length > RequestHandler.MaxLineLength)
            throw new NablaException(ErrorCodes.LimitExceeded, "the expression is too long");

        var options = new BindOptions
        {
            Declarations = declarations,
            PreferScalar = wrt.Count > 0 && kind is null or DerivativeKind.Gradient or DerivativeKind.Hessian,
        };
        return (text, options, wrt, kind);
    }

    private static NablaException Bad(string m) => new(ErrorCodes.BadRequest, m);
}
