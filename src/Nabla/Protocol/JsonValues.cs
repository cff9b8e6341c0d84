using System.Text.Json;
using System.Text.Json.Nodes;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.Numerics;
using Nabla.LinearAlgebra;

namespace Nabla.Protocol;

/// <summary>Values in the protocol's layout: scalars are numbers, vectors arrays, matrices arrays of rows.</summary>
public static class JsonValues
{
    /// <summary>The value at.<paramref name="name"/> of a request: a number, an array (a vector) or an array of rows (a matrix), all finite.</summary>
    public static Tensor Parse(string name, JsonNode? node)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue(out double d):
                return Tensor.Scalar(Finite(d, name));
            case JsonArray a when a.Count == 0:
                throw Bad($"at.{name} is an empty array");
            case JsonArray a when a.All(e => e is JsonValue):
                return Tensor.Vector(a.Select((e, i) => Number(e, $"at.{name}[{i}]")).ToArray());
            case JsonArray a when a.All(e => e is JsonArray):
            {
                int cols = ((JsonArray)a[0]!).Count;
                if (cols == 0) throw Bad($"at.{name}[0] is an empty row");
                var data = new double[a.Count * cols];
                for (int i = 0; i < a.Count; i++)
                {
                    var row = (JsonArray)a[i]!;
                    if (row.Count != cols)
                        throw Bad($"at.{name}: row {i} has {row.Count} entries, but row 0 has {cols}");
                    for (int j = 0; j < cols; j++)
                    {
                        if (row[j] is not JsonValue) throw Bad($"at.{name}[{i}][{j}] is not a number (values nest at most two deep)");
                        data[i * cols + j] = Number(row[j], $"at.{name}[{i}][{j}]");
                    }
                }
                return new Tensor(ShapeKind.Matrix, a.Count, cols, data);
            }
            case JsonArray:
                throw Bad($"at.{name} mixes numbers and arrays; a vector is [1, 2], a matrix [[1, 2], [3, 4]]");
            default:
                throw Bad($"at.{name} must be a number, an array of numbers or an array of rows");
        }
    }

    private static double Number(JsonNode? n, string where)
    {
        if (n is JsonValue v && v.TryGetValue(out double d)) return Finite(d, where);
        throw Bad($"{where} is not a number");
    }

    private static double Finite(double d, string where) =>
        double.IsFinite(d) ? d : throw Bad($"{where} is not a finite number");

    private static NablaException Bad(string m) => new(ErrorCodes.BadRequest, m);

    /// <summary>The shape of a value, with its sizes known.</summary>
    public static Shape ShapeOf(Tensor t) => t.Kind switch
    {
        ShapeKind.Scalar => Shape.Scalar,
        ShapeKind.Vector => Shape.Vector(Dim.Of(t.Rows)),
        _ => Shape.Matrix(Dim.Of(t.Rows), Dim.Of(t.Cols)),
    };

    /// <summary>A value in the protocol's layout: a number, an array, or an array of rows.</summary>
    public static JsonNode ToJson(Tensor t)
    {
        switch (t.Kind)
        {
            case ShapeKind.Scalar: return JsonValue.Create(t.Data[0]);
            case ShapeKind.Vector: return new JsonArray(t.Data.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray());
            default:
            {
                var rows = new JsonArray();
                for (int i = 0; i < t.Rows; i++)
                    rows.Add((JsonNode)new JsonArray(Enumerable.Range(0, t.Cols).Select(j => (JsonNode?)JsonValue.Create(t[i, j])).ToArray()));
                return rows;
            }
        }
    }

    /// <summary>The dimensions of a shape as a JSON array: sizes as numbers, symbols as strings.</summary>
    public static JsonArray ShapeJson(Shape s) => DimsJson(s.Dims);

    /// <summary>Dimensions as a JSON array: sizes as numbers, symbols as strings.</summary>
    public static JsonArray DimsJson(IReadOnlyList<Dim> dims) =>
        new(dims.Select(d => d.IsKnown ? (JsonNode?)JsonValue.Create(d.Size) : JsonValue.Create(d.Name)).ToArray());

    /// <summary>Row-major data as nested arrays of the given dimensions.</summary>
    public static JsonNode Nested(double[] data, IReadOnlyList<int> dims)
    {
        if (dims.Count == 0) return JsonValue.Create(data[0]);
        int offset = 0;
        return Build(0);

        JsonNode Build(int level)
        {
            var arr = new JsonArray();
            for (int i = 0; i < dims[level]; i++)
                arr.Add(level == dims.Count - 1 ? JsonValue.Create(data[offset++]) : Build(level + 1));
            return arr;
        }
    }

    /// <summary>Reads a file of values ({"x": [1,2], ...}) as used by --at.</summary>
    public static Dictionary<string, Tensor> ParseValues(string json)
    {
        JsonNode? root;
        try
        {
            using (var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 }))
                if (RequestHandler.Problem(doc.RootElement, "the values") is { } problem) throw Bad(problem);
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e) { throw Bad($"the values are not valid JSON: {e.Message}"); }
        if (root is not JsonObject o) throw Bad("the values must be a JSON object such as {\"x\": [1, 2]}");
        return o.ToDictionary(kv => kv.Key, kv => Parse(kv.Key, kv.Value));
    }
}
