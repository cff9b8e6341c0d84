using Nabla.Data;
using Nabla.Models;

namespace Nabla.Tests.Fitting;

/// <summary>The AVX-512, AVX2 and scalar X'X kernels agree with a plain double loop (CI may run on a CPU with only one of them).</summary>
[Collection("GramKernel")]
public class GramKernelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(1)]
    public void Kernels_agree_with_the_definition(int kernel)
    {
        var rng = new Random(3);
        foreach (var (n, d) in new[] { (1000, 1), (777, 7), (3000, 13), (300, 30) })
        {
            var x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 4 - 1).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() + 2).ToArray();
            GramSums sums;
            try
            {
                GramAccumulator.Kernel = kernel;
                var acc = new GramAccumulator(d);
                acc.Add(x[..(100 * d)], y[..100], 100); // two chunks, as the CSV reader sends them
                acc.Add(x[(100 * d)..], y[100..], n - 100);
                sums = acc.Result();
            }
            finally { GramAccumulator.Kernel = 0; }
            double Z(int i, int j) => j < d ? x[i * d + j] : y[i];
            var mean = new double[d + 1];
            for (int j = 0; j <= d; j++) mean[j] = Enumerable.Range(0, n).Average(i => Z(i, j));
            for (int a = 0; a <= d; a++)
            {
                FixtureTests.Close(mean[a], sums.Means[a], 1e-12, $"mean {a}");
                for (int b = 0; b <= d; b++)
                {
                    double c = 0;
                    for (int i = 0; i < n; i++) c += (Z(i, a) - mean[a]) * (Z(i, b) - mean[b]);
                    Assert.True(Math.Abs(c - sums.C(a, b)) <= 1e-10 * n, $"kernel {kernel}, n={n}, d={d}: C[{a},{b}] = {sums.C(a, b)}, expected {c}");
                }
            }
            Assert.Equal(n, sums.N);
        }
    }

    public static TheoryData<int, int, int> OddSizes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int kernel in new[] { 0, 256, 1 })
            foreach (var (n, d) in new[] { (1, 1), (129, 1), (5003, 1), (1, 7), (255, 7), (5003, 7), (3, 100), (301, 100), (1, 129), (257, 129), (263, 6), (131, 14), (300, 62) })
                data.Add(kernel, n, d);
        return data;
    }

    /// <summary>
    /// Sizes that do not fit the kernels' blocking (rows not a multiple of the 128-row block, widths whose
    /// augmented d + 2 columns leave a partial panel or an odd panel count, d = 62 whose packed rows get one cache line of padding) against the raw sums, in one call
    /// (large enough calls run in parallel) and in uneven chunks.
    /// </summary>
    [Theory]
    [MemberData(nameof(OddSizes))]
    public void Odd_sizes_agree_with_the_definition(int kernel, int n, int d)
    {
        var rng = new Random(n * 1000 + d);
        var x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 4 - 1 + 50).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 7).ToArray();
        // the definition: Σ x_a x_b, Σ x_a y, Σ y², Σ x_a, Σ y, then centred through the exact means
        var mean = new double[d + 1];
        double Z(int i, int j) => j < d ? x[i * d + j] : y[i];
        for (int j = 0; j <= d; j++) { double s = 0; for (int i = 0; i < n; i++) s += Z(i, j); mean[j] = s / n; }
        var expected = new double[(d + 1) * (d + 1)];
        for (int i = 0; i < n; i++)
            for (int a = 0; a <= d; a++)
            {
                double za = Z(i, a) - mean[a];
                for (int b = a; b <= d; b++) expected[a * (d + 1) + b] += za * (Z(i, b) - mean[b]);
            }
        foreach (int chunk in new[] { n, 97 })
        {
            GramSums sums;
            try
            {
                GramAccumulator.Kernel = kernel;
                var acc = new GramAccumulator(d);
                for (int r0 = 0; r0 < n; r0 += chunk)
                {
                    int r = Math.Min(chunk, n - r0);
                    acc.Add(x[(r0 * d)..((r0 + r) * d)], y[r0..(r0 + r)], r);
                }
                sums = acc.Result();
            }
            finally { GramAccumulator.Kernel = 0; }
            Assert.Equal(n, sums.N);
            for (int a = 0; a <= d; a++)
            {
                FixtureTests.Close(mean[a], sums.Means[a], 1e-13, $"mean {a}");
                for (int b = a; b <= d; b++)
                {
                    double e = expected[a * (d + 1) + b];
                    Assert.True(Math.Abs(e - sums.C(a, b)) <= 1e-11 * n, $"kernel {kernel}, n={n}, d={d}, chunk {chunk}: C[{a},{b}] = {sums.C(a, b)}, expected {e}");
                    Assert.Equal(sums.C(a, b), sums.C(b, a));
                }
            }
            // and the raw products the solver sees: X'X, X'y, y'y
            var (g, xty, yty) = sums.Design(intercept: false);
            for (int a = 0; a <= d; a++)
                for (int b = a; b <= d; b++)
                {
                    double raw = 0;
                    for (int i = 0; i < n; i++) raw += Z(i, a) * Z(i, b);
                    double got = a == d ? yty : b == d ? xty[a] : g[a * d + b];
                    FixtureTests.Close(raw, got, 1e-12, $"kernel {kernel}, n={n}, d={d}: raw [{a},{b}]");
                }
        }
    }
}
