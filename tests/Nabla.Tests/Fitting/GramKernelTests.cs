using Nabla.Fitting;

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
}
