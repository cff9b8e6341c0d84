using System.Text.Json;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>The SciPy fixtures of the matrix functions (fixtures/*.json) and the error measure their tests share.</summary>
internal static class MatrixFixtures
{
    /// <summary>The cases of a fixture file: each a name, a size n and row-major arrays by key.</summary>
    public static List<(string Name, int N, Dictionary<string, double[]> Arrays)> Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "Nabla.Tests", "Numerics", "fixtures", file)));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => (
            c.GetProperty("name").GetString()!, c.GetProperty("n").GetInt32(),
            c.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array)
                .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray()))).ToList();
    }

    /// <summary>‖actual - expected‖_F / ‖expected‖_F (absolute where expected is 0).</summary>
    public static double RelativeError(double[] expected, ReadOnlySpan<double> actual)
    {
        double d = 0, s = 0;
        for (int i = 0; i < expected.Length; i++) { d += (actual[i] - expected[i]) * (actual[i] - expected[i]); s += expected[i] * expected[i]; }
        return s == 0 ? Math.Sqrt(d) : Math.Sqrt(d / s);
    }

    /// <summary>The backends the fixture tests run on: managed, and OpenBLAS where it is installed.</summary>
    public static IEnumerable<IBlas> Blases => new[] { "managed", "native" }.Select(b => Backends.Get(b)).OfType<IBlas>();
}
