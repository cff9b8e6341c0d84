using Nabla.Expressions;
using Nabla.Numerics;
using Xunit.Abstractions;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>Each BLAS kernel of each backend against the naive reference kernels, at sizes around the block sizes.</summary>
public class BlasTests(ITestOutputHelper output)
{
    private static readonly (int M, int N, int K)[] GemmSizes =
    [
        (1, 1, 1), (1, 7, 3), (5, 1, 9), (3, 4, 1), (2, 3, 5), (7, 13, 300), (6, 8, 256), (49, 50, 51),
        (130, 65, 257), (121, 250, 97), (241, 17, 513), (64, 2041, 20), (1, 300, 200), (300, 1, 200),
    ];

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Gemm_matches_the_naive_product(string backend)
    {
        if (Backends.Get(backend, output) is not { } blas) return;
        var rng = new Random(1);
        foreach (var (m, n, k) in GemmSizes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    var a = Backends.Random(rng, ta ? k : m, ta ? m : k);
                    var b = Backends.Random(rng, tb ? n : k, tb ? k : n);
                    var c = Backends.Random(rng, m, n);
                    var expected = DenseOps.MatMul(ta ? a.Transposed() : a, tb ? b.Transposed() : b).Data;
                    for (int i = 0; i < expected.Length; i++) expected[i] = 0.5 * expected[i] - 2 * c.Data[i];
                    var actual = (double[])c.Data.Clone();
                    blas.Gemm(ta, tb, m, n, k, 0.5, a.Data, a.Cols, b.Data, b.Cols, -2, actual, n);
                    Backends.Close(expected, actual, 1e-13 * k, $"gemm {m}x{n}x{k} ta={ta} tb={tb}");
                }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void Packed_kernels_both_widths_match(bool wide)
    {
        // The 512-bit kernel runs in software where AVX-512 is absent, so it is tested everywhere.
        var rng = new Random(2);
        foreach (var (m, n, k) in new[] { (130, 65, 257), (7, 33, 3), (250, 121, 97) })
        {
            var a = Backends.Random(rng, m, k);
            var b = Backends.Random(rng, n, k);
            var expected = DenseOps.MatMul(a, b.Transposed()).Data;
            var c = new double[m * n];
            fixed (double* pa = a.Data, pb = b.Data, pc = c)
                ManagedGemm.Run(false, true, m, n, k, 1, pa, k, pb, k, pc, n, 2, wide);
            Backends.Close(expected, c, 1e-13 * k, $"packed {m}x{n}x{k} wide={wide}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Gemm_on_a_submatrix_uses_the_leading_dimension(string backend)
    {
        if (Backends.Get(backend, output) is not { } blas) return;
        var rng = new Random(3);
        var big = Backends.Random(rng, 90, 100);
        // A = big[0:70, 0:60] (lda 100), B = big[10:70, 60:100] (ldb 100), C = 70×40
        var a = new Tensor(ShapeKind.Matrix, 70, 60, Enumerable.Range(0, 70 * 60).Select(i => big[i / 60, i % 60]).ToArray());
        var b = new Tensor(ShapeKind.Matrix, 60, 40, Enumerable.Range(0, 60 * 40).Select(i => big[10 + i / 40, 60 + i % 40]).ToArray());
        var c = new double[70 * 40];
        blas.Gemm(false, false, 70, 40, 60, 1, big.Data, 100, big.Data.AsSpan(10 * 100 + 60), 100, 0, c, 40);
        Backends.Close(DenseOps.MatMul(a, b).Data, c, 1e-12, "gemm with strides");
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Gemv_syrk_dot_axpy_match(string backend)
    {
        if (Backends.Get(backend, output) is not { } blas) return;
        var rng = new Random(4);
        foreach (var (m, n) in new[] { (1, 1), (1, 5), (6, 1), (17, 33), (300, 257), (1000, 70) })
        {
            var a = Backends.Random(rng, m, n);
            var x = Backends.Random(rng, n, 1, ShapeKind.Vector);
            var xt = Backends.Random(rng, m, 1, ShapeKind.Vector);
            var y = Backends.Random(rng, m, 1, ShapeKind.Vector);
            var yt = Backends.Random(rng, n, 1, ShapeKind.Vector);
            var ey = DenseOps.MatMul(a, x).Data.Select((v, i) => 2 * v + 0.5 * y.Data[i]).ToArray();
            var eyt = DenseOps.MatMul(a.Transposed(), xt).Data.Select((v, i) => 2 * v + 0.5 * yt.Data[i]).ToArray();
            blas.Gemv(false, m, n, 2, a.Data, n, x.Data, 0.5, y.Data);
            blas.Gemv(true, m, n, 2, a.Data, n, xt.Data, 0.5, yt.Data);
            Backends.Close(ey, y.Data, 1e-13 * n, $"gemv {m}x{n}");
            Backends.Close(eyt, yt.Data, 1e-13 * m, $"gemv' {m}x{n}");

            foreach (bool trans in new[] { false, true })
            {
                int size = trans ? n : m, k = trans ? m : n;
                var c = new double[size * size];
                blas.Syrk(trans, size, k, 1, a.Data, n, 0, c, size);
                var e = trans ? DenseOps.MatMul(a.Transposed(), a) : DenseOps.MatMul(a, a.Transposed());
                Backends.Close(e.Data, c, 1e-13 * k, $"syrk {m}x{n} trans={trans}");
            }

            double dot = 0;
            for (int i = 0; i < n; i++) dot += x.Data[i] * yt.Data[i];
            Assert.Equal(dot, blas.Dot(x.Data, yt.Data), 1e-12 * Math.Max(1, Math.Abs(dot)) * n);
            var z = (double[])yt.Data.Clone();
            blas.Axpy(-3, x.Data, z);
            Backends.Close(yt.Data.Select((v, i) => v - 3 * x.Data[i]).ToArray(), z, 1e-15, "axpy");
        }
    }

    [Theory]
    [InlineData("32K", 32L << 10)]
    [InlineData("512K", 512L << 10)]
    [InlineData("32768K", 32L << 20)]
    [InlineData("2M", 2L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("", 0L)]
    [InlineData("lots", 0L)]
    public void Cache_sizes_are_read_as_sysfs_writes_them(string text, long bytes) => Assert.Equal(bytes, GemmBlocking.ParseSize(text));

    [Fact]
    public void The_blocking_follows_the_caches_and_stays_in_bounds()
    {
        foreach (int nr in new[] { 8, 16 })
        {
            var b = GemmBlocking.For(nr);
            // the B sliver fits in half of L1, the A block in half of L2
            Assert.True((long)b.KC * nr * sizeof(double) <= Math.Max(b.L1 / 2, 64L * nr * sizeof(double)), $"{b}");
            Assert.True((long)b.MC * b.KC * sizeof(double) <= Math.Max(b.L2 / 2, 4L * ManagedGemm.MR * b.KC * sizeof(double)), $"{b}");
            Assert.Equal(0, b.MC % ManagedGemm.MR);
            Assert.Equal(0, b.NC % nr);
            Assert.InRange(b.KC, 64, 1024);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_long_inner_dimension_is_split_across_the_cores_and_gives_the_product(bool ta, bool tb)
    {
        // C (37×21) over k = 5000: the k-split route (each core a run of k into its own C, added in order)
        int m = 37, n = 21, k = 5000;
        var rng = new Random(3);
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => 1.0).ToArray();
        int lda = ta ? m : k, ldb = tb ? k : n;
        new ManagedBlas(2).Gemm(ta, tb, m, n, k, 0.5, a, lda, b, ldb, 2, c, n);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                expected[i * n + j] = 2 + 0.5 * s;
            }
        Backends.Close(expected, c, 1e-12 * k, $"split-k gemm ta={ta} tb={tb}");
    }
}
