using Nabla.Expressions;
using Nabla.Numerics;
using Xunit.Abstractions;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Numerics;

/// <summary>Cholesky, LU, least squares and the symmetric eigensolver of each backend, checked by their defining identities.</summary>
public class LapackTests(ITestOutputHelper output)
{
    private static readonly int[] Sizes = [1, 2, 3, 7, 63, 64, 65, 130, 200];

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Cholesky_factors_and_solves(string backend)
    {
        if (Backends.Get(backend, output) is not { } blas) return;
        var rng = new Random(5);
        foreach (int n in Sizes)
        {
            var a = Backends.Spd(rng, n);
            var l = (double[])a.Data.Clone();
            Assert.True(blas.Potrf(n, l));
            var lower = new Tensor(ShapeKind.Matrix, n, n, l.Select((v, i) => i % n <= i / n ? v : 0).ToArray());
            Backends.Close(a.Data, DenseOps.MatMul(lower, lower.Transposed()).Data, 1e-12, $"L*L' n={n}");
            var b = Backends.Random(rng, n, 3);
            var x = (double[])b.Data.Clone();
            blas.Potrs(n, 3, l, x);
            Backends.Close(b.Data, DenseOps.MatMul(a, new Tensor(ShapeKind.Matrix, n, 3, x)).Data, 1e-10, $"potrs n={n}");
        }
        var notPd = Tensor.Identity(3);
        notPd[1, 1] = -1;
        Assert.False(blas.Potrf(3, (double[])notPd.Data.Clone()));
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Lu_solves_inverts_and_gives_the_determinant(string backend)
    {
        if (Backends.Get(backend, output) is not { } blas) return;
        var rng = new Random(6);
        foreach (int n in Sizes)
        {
            var a = Backends.Random(rng, n, n);
            for (int i = 0; i < n; i++) a[i, i] += 2;
            var lu = (double[])a.Data.Clone();
            var piv = new int[n];
            Assert.True(blas.Getrf(n, lu, piv));
            foreach (int nrhs in new[] { 1, 5 })
            {
                var b = Backends.Random(rng, n, nrhs);
                var x = (double[])b.Data.Clone();
                blas.Getrs(n, nrhs, lu, piv, x);
                Backends.Close(b.Data, DenseOps.MatMul(a, new Tensor(ShapeKind.Matrix, n, nrhs, x)).Data, 1e-10, $"getrs n={n} nrhs={nrhs}");
            }
            var (logAbs, sign) = blas.LuDeterminant(n, lu, piv);
            var (refLog, refSign) = DenseOps.LogDet(a, "a");
            Assert.Equal(refSign, sign);
            Assert.Equal(refLog, logAbs, 1e-9 * Math.Max(1, Math.Abs(refLog)));
            blas.Getri(n, lu, piv);
            Backends.Close(DenseOps.Inverse(a, "a").Data, lu, 1e-10, $"getri n={n}");
        }
        Assert.False(blas.Getrf(2, new double[] { 1, 2, 2, 4 }.Select(v => v * 0).ToArray(), new int[2]));
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Least_squares_satisfies_the_normal_equations(string backend)
    {
        if (Backends.Get(backend, output) is not { } blas) return;
        var rng = new Random(7);
        foreach (var (m, n) in new[] { (1, 1), (5, 2), (40, 7), (300, 65) })
        {
            var a = Backends.Random(rng, m, n);
            var b = Backends.Random(rng, m, 1, ShapeKind.Vector);
            var aw = (double[])a.Data.Clone();
            var bw = (double[])b.Data.Clone();
            Assert.True(blas.Gels(m, n, aw, bw));
            var x = new Tensor(ShapeKind.Vector, n, 1, bw[..n]);
            var r = DenseOps.MatMul(a, x).Data.Select((v, i) => v - b.Data[i]).ToArray();
            var normal = DenseOps.MatMul(a.Transposed(), new Tensor(ShapeKind.Vector, m, 1, r));
            Assert.True(normal.MaxAbs() < 1e-10 * m, $"A'(Ax-b) = {normal.MaxAbs():G3} for {m}x{n}");
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public void Symmetric_eigen_decomposes(string backend)
    {
        if (Backends.Get(backend, output) is not { } blas) return;
        var rng = new Random(8);
        foreach (int n in new[] { 1, 2, 5, 33 })
        {
            var a = Backends.Random(rng, n, n);
            var s = DenseOps.MatMul(a, a.Transposed());
            for (int i = 0; i < n; i++) s[i, i] -= 1;
            var v = (double[])s.Data.Clone();
            var w = new double[n];
            Assert.True(blas.Syev(n, v, w));
            for (int i = 1; i < n; i++) Assert.True(w[i - 1] <= w[i]);
            var vt = new Tensor(ShapeKind.Matrix, n, n, v);
            var av = DenseOps.MatMul(s, vt).Data;
            var vl = v.Select((x, i) => x * w[i % n]).ToArray();
            Backends.Close(av, vl, 1e-10, $"A*V = V*diag(w) n={n}");
            Backends.Close(Tensor.Identity(n).Data, DenseOps.MatMul(vt.Transposed(), vt).Data, 1e-10, $"V'V = I n={n}");
        }
    }
}
