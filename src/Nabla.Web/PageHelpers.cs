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
            variables.Add(new JsonObject
            {
                ["name"] = v.Name,
                ["type"] = v.Symmetric ? "symmetric" : v.Shape.TypeName,
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
            results.Add(new JsonObject
            {
                ["wrt"] = name,
                ["derivative"] = Derivation.KindName(k),
                ["maxRelativeError"] = double.IsFinite(report.MaxRelativeError) ? report.MaxRelativeError : null,
                ["trials"] = report.Trials,
                ["passed"] = report.Passed,
            });
        }
        return new JsonObject { ["id"] = request["id"]?.DeepClone(), ["ok"] = true, ["results"] = results };
    }

    private static JsonArray UntypedVariables(string text, BindOptions options)
    {
        var names = new List<string>();
        var stack = new Stack<SyntaxNode>();
        stack.Push(Parser.Parse(text));
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case NameSyntax n when n.Name != "eye" && !names.Contains(n.Name): names.Add(n.Name); break;
                case ParenSyntax p: stack.Push(p.Inner); break;
                case UnarySyntax u: stack.Push(u.Operand); break;
                case TransposeSyntax t: stack.Push(t.Operand); break;
                case PowerSyntax p: stack.Push(p.Exponent); stack.Push(p.Base); break;
                case InnerSyntax i: stack.Push(i.Right); stack.Push(i.Left); break;
                case SumSyntax s: for (int i = s.Terms.Count - 1; i >= 0; i--) stack.Push(s.Terms[i]); break;
                case ProductSyntax p: for (int i = p.Factors.Count - 1; i >= 0; i--) stack.Push(p.Factors[i]); break;
                case CallSyntax c: for (int i = c.Args.Count - 1; i >= 0; i--) stack.Push(c.Args[i]); break;
            }
        }
        var result = new JsonArray();
        foreach (var name in names)
        {
            bool declared = options.Declarations.TryGetValue(name, out var t);
            result.Add(new JsonObject
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
        if (request["expr"] is not JsonValue ev || !ev.TryGetValue(out string? text))
            throw Bad("the field 'expr' (a string) is required");
        if (text.Length > RequestHandler.MaxLineLength)
            throw new NablaException(ErrorCodes.LimitExceeded, "the expression is too long");

        var declarations = new Dictionary<string, VarType>();
        if (request["vars"] is { } varsNode)
        {
            if (varsNode is not JsonObject vars) throw Bad("'vars' must be an object such as {\"x\": \"vector\"}");
            foreach (var (name, t) in vars)
            {
                if (t is not JsonValue tv || !tv.TryGetValue(out string? typeText))
                    throw Bad($"vars.{name} must be a type string such as \"vector\"");
                declarations[name] = VarType.Parse(typeText);
            }
        }

        var wrt = new List<string>();
        switch (request["wrt"])
        {
            case null: break;
            case JsonValue w when w.TryGetValue(out string? one): wrt.Add(one); break;
            case JsonArray arr:
                foreach (var w in arr)
                    wrt.Add(w is JsonValue wv && wv.TryGetValue(out string? s) ? s : throw Bad("'wrt' must be a list of variable names"));
                break;
            default: throw Bad("'wrt' must be a list of variable names");
        }

        DerivativeKind? kind = null;
        if (request["derivative"] is { } dn)
            kind = dn is JsonValue dv && dv.TryGetValue(out string? ds) ? Derivation.ParseKind(ds) : throw Bad("'derivative' must be a string");

        var options = new BindOptions
        {
            Declarations = declarations,
            PreferScalar = wrt.Count > 0 && kind is null or DerivativeKind.Gradient or DerivativeKind.Hessian,
        };
        return (text, options, wrt, kind);
    }

    private static NablaException Bad(string m) => new(ErrorCodes.BadRequest, m);
}
