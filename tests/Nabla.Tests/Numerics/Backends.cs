using Nabla.Expressions;
using Nabla.Numerics;
using Xunit.Abstractions;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>The backends under test, by name, and helpers shared by the numeric tests.</summary>
public static class Backends
{
    /// <summary>The backends every kernel test runs on.</summary>
    public static TheoryData<string> Names => new() { "managed", "managed-1thread", "native" };

    /// <summary>The backend of that name, or null (with a message) when the native library is absent.</summary>
    public static IBlas? Get(string name, ITestOutputHelper? output = null)
    {
        switch (name)
        {
            case "managed": return Blas.Managed;
            case "managed-1thread": return new ManagedBlas(1);
            default:
                var b = Blas.Create(BlasBackend.Native);
                if (b.Name == "openblas") return b;
                output?.WriteLine("SKIPPED: OpenBLAS (libopenblas.so.0) is not installed; install libopenblas0-pthread to test the native backend.");
                return null;
        }
    }

    /// <summary>The backend the plan and API tests run on: NABLA_BACKEND (managed, native), managed when unset.</summary>
    public static IBlas FromEnvironment => Blas.FromName(Environment.GetEnvironmentVariable("NABLA_BACKEND"));

    public static Tensor Random(Random rng, int rows, int cols, ShapeKind kind = ShapeKind.Matrix)
    {
        var d = new double[rows * cols];
        for (int i = 0; i < d.Length; i++) d[i] = rng.NextDouble() * 2 - 1;
        return new Tensor(kind, rows, cols, d);
    }

    public static Tensor Spd(Random rng, int n)
    {
        var a = Random(rng, n, n);
        var s = DenseOps.MatMul(a, a.Transposed());
        for (int i = 0; i < n; i++) s[i, i] += n;
        return s;
    }

    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1;
        foreach (var v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tol * scale))
                Assert.Fail($"{what}: entry {i} is {actual[i]:R}, expected {expected[i]:R} (tolerance {tol * scale:G3})");
    }
}
