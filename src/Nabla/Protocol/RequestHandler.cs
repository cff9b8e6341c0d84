using Nabla.Calculus;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nabla.Api;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.Semantics;
using Nabla.Syntax;
using Nabla.LinearAlgebra;

namespace Nabla.Protocol;

/// <summary>
/// The JSON Lines protocol of docs/language.md section 5: one request object in, one response object
/// out. Never throws for bad input: every problem becomes an error response with a code.
/// </summary>
public static class RequestHandler
{
    /// <summary>The time budget of one request (cooperative: the work stops with <c>limit_exceeded</c>).</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    /// <summary>Longest accepted request line, in characters.</summary>
    public const int MaxLineLength = 1 << 20;

    private static readonly HashSet<string> KnownFields = ["id", "expr", "vars", "wrt", "derivative", "at", "steps", "emit", "function", "convexity"];

    private static readonly JsonSerializerOptions Output = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A response as one line of JSON (quotes such as the transpose mark are not escaped needlessly).</summary>
    public static string Serialize(JsonNode node) => node.ToJsonString(Output);

    /// <summary>
    /// The same text as <see cref="Serialize"/>, as UTF-8 in a buffer of its own: not rented from the shared array
    /// pool, which would keep a large answer's buffers (50 MB for a 1,500 × 1,500 Hessian) long after it is sent.
    /// </summary>
    public static ReadOnlyMemory<byte> SerializeUtf8(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = Output.Encoder, Indented = Output.WriteIndented }))
            node.WriteTo(writer, Output);
        return buffer.WrittenMemory;
    }

    /// <summary>Answers one request line with one response line of JSON; never throws (a bug becomes an internal_error response).</summary>
    public static string HandleLine(string line)
    {
        try
        {
            return Serialize(HandleLineCore(line));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The last line of defence: the process answers every line and goes on.
            return Serialize(Error(null, InternalError(e)));
        }
    }

    /// <summary>The answer to a line that was longer than the limit (read and dropped by <see cref="LineReader"/>).</summary>
    public static string TooLong(long length) =>
        Serialize(Error(null, new Diagnostic(ErrorCodes.LimitExceeded, $"the request is {length:N0} characters long; the limit is {MaxLineLength:N0}")));

    private static JsonNode HandleLineCore(string line)
    {
        if (line.Length > MaxLineLength)
            return Error(null, new Diagnostic(ErrorCodes.LimitExceeded, $"the request is {line.Length:N0} characters long; the limit is {MaxLineLength:N0}"));
        var (request, refusal) = ParseRequest(line);
        return request is null ? refusal! : Handle(request);
    }

    /// <summary>
    /// A request object from its text, or the protocol's refusal (with the request's id where it can be read):
    /// not JSON, not an object, a key given twice, a lone surrogate, a byte-order mark. The JSON Lines and web
    /// front ends both read requests through this.
    /// </summary>
    public static (JsonObject? Request, JsonObject? Refusal) ParseRequest(string line)
    {
        bool bom = line.Length > 0 && line[0] == '\uFEFF';
        var text = bom ? line[1..] : line;
        JsonNode? node;
        try
        {
            // First as a document, which keeps duplicate keys and odd strings, to find the id and what is wrong.
            using (var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 }))
            {
                var root = doc.RootElement;
                JsonNode? id = null;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idElement) && Problem(idElement, "id") is null)
                    id = JsonNode.Parse(idElement.GetRawText());
                var problem = bom ? "the line starts with a byte-order mark (U+FEFF); send UTF-8 without one" : Problem(root, "the request");
                if (problem is not null) return (null, Error(id, new Diagnostic(ErrorCodes.BadRequest, problem)));
            }
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return (null, Error(null, new Diagnostic(ErrorCodes.BadRequest, $"the request is not valid JSON: {e.Message}")));
        }
        if (node is not JsonObject request)
            return (null, Error(null, new Diagnostic(ErrorCodes.BadRequest, "the request must be a JSON object such as {\"expr\": \"x'*x\"}")));
        return (request, null);
    }

    /// <summary>What makes a JSON value unfit for a request: a key given twice, or a string with a lone surrogate (null when fine).</summary>
    public static string? Problem(JsonElement e, string where)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    if (!ValidText(p.Name)) return $"a key of {where} is not valid Unicode (a lone surrogate)";
                    if (!seen.Add(p.Name)) return $"the key '{p.Name}' is given twice in {where}";
                    if (Problem(p.Value, $"'{p.Name}'") is { } inner) return inner;
                }
                return null;
            }
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                    if (Problem(item, where) is { } inner) return inner;
                return null;
            case JsonValueKind.String:
                string? s;
                try { s = e.GetString(); }
                catch (InvalidOperationException) { s = null; }
                return s is not null && ValidText(s) ? null : $"a string in {where} is not valid Unicode (a lone surrogate such as \\ud800)";
            default:
                return null;
        }
    }

    private static bool ValidText(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    /// <summary>Answers one request within the default time limit (<see cref="TimeLimit"/>).</summary>
    public static JsonObject Handle(JsonObject request) => Handle(request, TimeLimit);

    /// <summary>Answers one request within the given time budget.</summary>
    public static JsonObject Handle(JsonObject request, TimeSpan timeLimit)
    {
        var id = request["id"];
        using var budget = Budget.Start(timeLimit);
        try
        {
            return Run(request, id?.DeepClone());
        }
        catch (NablaException e)
        {
            return Error(id?.DeepClone(), e.Diagnostic);
        }
        catch (Exception e) when (NablaException.Find(e) is { } wrapped)
        {
            return Error(id?.DeepClone(), wrapped);
        }
        catch (InsufficientExecutionStackException)
        {
            return Error(id?.DeepClone(), new Diagnostic(ErrorCodes.LimitExceeded, "the expression is too deeply nested to process"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of Nabla's, never the user's: answered with the request's id and the internal_error code.
            return Error(id?.DeepClone(), InternalError(e));
        }
    }

    /// <summary>The diagnostic for an exception that escaped every stage: a bug to report, with what was thrown.</summary>
    public static Diagnostic InternalError(Exception e) =>
        new(ErrorCodes.InternalError, $"internal error ({e.GetType().Name}: {e.Message}); please report this request");

    private static JsonObject Error(JsonNode? id, Diagnostic d)
    {
        var err = new JsonObject { ["code"] = d.Code, ["message"] = d.Message };
        if (d.Span is { } s) { err["start"] = s.Start; err["end"] = s.End; }
        return new JsonObject { ["id"] = id, ["ok"] = false, ["error"] = err };
    }

    private static NablaException Bad(string m) => new(ErrorCodes.BadRequest, m);

    /// <summary>The fields every front end reads the same way: expr (required), vars, wrt and derivative.</summary>
    public static (string Text, Dictionary<string, VarType> Declarations, List<string> Wrt, DerivativeKind? Kind) ReadFields(JsonObject request)
    {
        if (request["expr"] is not JsonValue ev || !ev.TryGetValue(out string? text))
            throw Bad("the field 'expr' (a string) is required");

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
            kind = dn is JsonValue dv && dv.TryGetValue(out string? ds) ? Derivatives.ParseKind(ds) : throw Bad("'derivative' must be a string");
        return (text, declarations, wrt, kind);
    }

    /// <summary>The convexity object (contract v1.4, v1.5): verdict, wrt, hessian, steps, witness ({at, direction, …} in the value layout, or null), second_differential (a matrix variable's d²f, or null).</summary>
    public static JsonObject ConvexityJson(Convexity.ConvexityResult r)
    {
        JsonNode? witness = null;
        if (r.Witness is { } w)
        {
            var at = new JsonObject();
            foreach (var (name, t) in w.At) at[name] = JsonValues.ToJson(t);
            var dir = new JsonObject();
            foreach (var (name, t) in w.Direction) dir[name] = JsonValues.ToJson(t);
            witness = new JsonObject
            {
                ["at"] = at, ["direction"] = dir, ["curvature"] = w.Curvature, ["second_difference"] = w.SecondDifference, ["step"] = w.Step, ["seed"] = w.Seed,
            };
        }
        return new JsonObject
        {
            ["verdict"] = r.VerdictText,
            ["wrt"] = r.Wrt,
            ["hessian"] = r.Hessian,
            ["steps"] = new JsonArray(r.Steps.Select(s => (JsonNode?)s).ToArray()),
            ["witness"] = witness,
            ["second_differential"] = r.SecondDifferential,
        };
    }

    private static JsonObject Run(JsonObject request, JsonNode? id)
    {
        foreach (var (key, _) in request)
            if (!KnownFields.Contains(key))
                throw Bad($"unknown field '{key}'; the fields are {string.Join(", ", KnownFields)}");
        var (text, declarations, wrt, kind) = ReadFields(request);

        bool steps = false;
        if (request["steps"] is { } sn && !(sn is JsonValue sv && sv.TryGetValue(out steps)))
            throw Bad("'steps' must be true or false");
        bool convexity = false;
        if (request["convexity"] is { } cn && !(cn is JsonValue cv && cv.TryGetValue(out convexity)))
            throw Bad("'convexity' must be true or false");

        var values = new Dictionary<string, Tensor>();
        if (request["at"] is { } atNode)
        {
            if (atNode is not JsonObject at) throw Bad("'at' must be an object of values such as {\"x\": [1, 2]}");
            foreach (var (name, v) in at) values[name] = JsonValues.Parse(name, v);
            foreach (var (name, t) in values)
                if (declarations.TryGetValue(name, out var type)) type.CheckValue(name, t);
        }

        var options = new BindOptions
        {
            Declarations = declarations,
            ConcreteShapes = values.ToDictionary(kv => kv.Key, kv => JsonValues.ShapeOf(kv.Value)),
            PreferScalar = wrt.Count > 0 && kind is null or DerivativeKind.Gradient or DerivativeKind.Hessian,
        };
        var bound = Binder.Bind(text, options);
        var f = bound.Root;

        var response = new JsonObject
        {
            ["id"] = id,
            ["ok"] = true,
            ["type"] = f.Shape.TypeName,
            ["shape"] = JsonValues.ShapeJson(f.Shape),
            ["text"] = Printing.TextPrinter.Print(f),
        };
        Evaluator? evaluator = null;
        if (values.Count > 0)
        {
            var missing = bound.Variables.Where(v => !values.ContainsKey(v.Name)).Select(v => v.Name).ToList();
            if (missing.Count > 0) throw Bad($"'at' gives no value for {string.Join(", ", missing)}");
            var vars = bound.Variables.Concat(wrt.Where(w => bound.Variable(w) is null).Select(w => Derivation.WrtVariable(bound, w, options)));
            evaluator = new Evaluator(values, vars);
            response["value"] = JsonValues.ToJson(evaluator.Evaluate(f));
        }

        var emit = new List<string>();
        switch (request["emit"])
        {
            case null: break;
            case JsonArray arr:
                foreach (var e in arr)
                    emit.Add(e is JsonValue ev2 && ev2.TryGetValue(out string? t) ? t : throw Bad("'emit' must be a list of targets such as [\"numpy\"]"));
                break;
            default: throw Bad("'emit' must be a list of targets such as [\"numpy\", \"torch\", \"matlab\"]");
        }
        foreach (var t in emit) Codegen.CodeTarget.ByName(t);
        if (emit.Count > 0 && wrt.Count == 0) throw Bad("'emit' needs 'wrt': the code computes the value and the derivatives");
        string function = "f";
        if (request["function"] is { } fnode &&
            !(fnode is JsonValue fv && fv.TryGetValue(out function!) && function.Length > 0 && char.IsAsciiLetter(function[0]) && function.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_')))
            throw Bad("'function' must be a name: a letter followed by letters, digits or '_'");

        var computed = new List<(Var, DerivativeResult)>();
        var results = new JsonArray();
        foreach (var name in wrt)
        {
            var x = Derivation.WrtVariable(bound, name, options);
            var k = kind ?? (f.Shape.IsScalar ? DerivativeKind.Gradient : DerivativeKind.Jacobian);
            var d = Derivation.Compute(f, x, k, steps: steps);
            computed.Add((x, d));
            var r = new JsonObject
            {
                ["wrt"] = name,
                ["derivative"] = Derivatives.KindName(k),
                ["shape"] = JsonValues.DimsJson(d.Dims),
            };
            if (d.Text is not null) r["text"] = d.Text;
            if (d.Factored is { } fac && d.FactoredText is { } ft)
                r["factored"] = new JsonObject
                {
                    ["text"] = ft,
                    ["latex"] = fac.Latex(),
                    ["where"] = new JsonArray(fac.BindingsOf(0).Select(b => (JsonNode?)new JsonObject
                    {
                        ["name"] = b.Name.Name,
                        ["text"] = b.Text,
                        ["latex"] = b.Latex,
                    }).ToArray()),
                };
            if (d.Index is { } index)
            {
                r["index"] = index.ToText();
                if (index.Kron() is { } kron) r["kron"] = kron;
            }
            r["latex"] = d.Latex;
            if (evaluator is not null)
            {
                if (d.Result is not null) r["value"] = JsonValues.ToJson(evaluator.Evaluate(d.Result));
                else if (d.Index is { } ix)
                    r["value"] = JsonValues.Nested(ix.Evaluate(evaluator, evaluator.SizeOf), ix.Dims.Select(evaluator.SizeOf).ToList());
            }
            if (d.Steps is { } ex)
                r["steps"] = new JsonArray(ex.Steps.Select(st => (JsonNode?)new JsonObject
                {
                    ["rule"] = st.Rule,
                    ["reason"] = st.Reason,
                    ["text"] = st.Text.TrimStart(),
                    ["latex"] = st.Latex,
                }).ToArray());
            if (convexity)
            {
                if (!f.Shape.IsScalar) throw Bad("'convexity' is asked of a scalar expression");
                r["convexity"] = ConvexityJson(Convexity.ConvexityAnalysis.Analyze(f, x, bound.Variables, declarations: declarations));
            }
            results.Add((JsonNode)r);
        }
        response["results"] = results;
        // (v1.5) several variables: the verdict in all of them jointly, through the block Hessian
        var joint = computed.Select(c => c.Item1).DistinctBy(v => v.Name).ToList();
        if (convexity && joint.Count > 1)
            response["convexity"] = ConvexityJson(Convexity.ConvexityAnalysis.AnalyzeJointly(f, joint, bound.Variables, declarations: declarations));
        if (emit.Count > 0)
        {
            var code = new JsonObject();
            foreach (var t in emit.Distinct()) code[t] = Derivation.EmitCode(t, text, bound, computed, function);
            response["code"] = code;
        }
        return response;
    }
}
