using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Fitting;

/// <summary>
/// One pass over the rows of a tall-skinny design: accumulates Z'Z for Z = [1, X - s, y - s_y]
/// (a syrk of the augmented matrix, upper triangle only), so X'X, X'y, y'y, the column sums and n
/// all come from the same kernel. The shift s (the first row seen) removes most of the cancellation
/// that raw sums of squares suffer when the means are large compared with the spread.
/// </summary>
/// <remarks>
/// Mirrors BLAS dsyrk on each row block: the block is packed into panels of 4 columns, then 4×8 tiles
/// of the upper triangle are computed with a Vector256 FMA micro-kernel; blocks run in parallel, each
/// worker with its own accumulator, merged at the end. Memory is O(d²), independent of the rows.
/// </remarks>
public sealed class GramAccumulator
{
    private const int BlockRows = 128;

    /// <summary>For tests: 0 picks the widest kernel the CPU has, 256 forces AVX2, 1 the scalar loop.</summary>
    internal static int Kernel { get; set; }
    private const int W = 8;      // panel width: 8 columns, one Vector512 or two Vector256 per row
    private readonly int _d;      // features
    private readonly int _mPad;   // augmented width d + 2 (features, the ones column, y), rounded up to a multiple of 16
    private readonly double[] _g; // _mPad × _mPad, upper triangle accumulated
    private readonly object _lock = new();
    private double[]? _shift;     // d + 1 entries: the features' shift, then y's

    public GramAccumulator(int features)
    {
        if (features < 0) throw new ArgumentOutOfRangeException(nameof(features));
        _d = features;
        _mPad = (features + 2 + 15) / 16 * 16;
        _g = new double[_mPad * _mPad];
    }

    public int Features => _d;

    /// <summary>Rows accumulated so far.</summary>
    public long Rows { get; private set; }

    /// <summary>The shift subtracted from each row (features then y); zeros before the first row.</summary>
    public ReadOnlySpan<double> Shift => _shift ?? new double[_d + 1];

    /// <summary>Adds <paramref name="rows"/> rows of the row-major <paramref name="x"/> (rows × d) with targets <paramref name="y"/>.</summary>
    public void Add(double[] x, double[] y, int rows)
    {
        if (rows == 0) return;
        if (x.Length < (long)rows * _d || y.Length < rows) throw new ArgumentException("x or y is shorter than rows × d");
        if (_shift is null)
        {
            var s = new double[_mPad];
            Array.Copy(x, s, _d);
            s[_d] = y[0];
            _shift = s;
        }
        int blocks = (rows + BlockRows - 1) / BlockRows;
        var shift = _shift;
        if (blocks == 1 || (long)rows * _mPad * _mPad < 1 << 20)
        {
            var local = new double[_mPad * _mPad];
            var pack = new double[BlockRows * _mPad];
            for (int b = 0; b < blocks; b++) Block(x, y, rows, b, shift, pack, local);
            Merge(local);
        }
        else
        {
            Parallel.For(0, blocks,
                () => (Acc: new double[_mPad * _mPad], Pack: new double[BlockRows * _mPad]),
                (b, _, st) => { Block(x, y, rows, b, shift, st.Pack, st.Acc); return st; },
                st => Merge(st.Acc));
        }
        Rows += rows;
    }

    private void Merge(double[] local)
    {
        lock (_lock)
            for (int i = 0; i < local.Length; i++) _g[i] += local[i];
    }

    /// <summary>
    /// Packs rows [b·128, …) into panels of 8 columns — x - s, then 1 and y - s_y, then zeros — so that each
    /// panel is a contiguous kb×8 strip, and accumulates the upper-triangle tiles.
    /// </summary>
    private void Block(double[] x, double[] y, int rows, int b, double[] shift, double[] pack, double[] acc)
    {
        int r0 = b * BlockRows, kb = Math.Min(BlockRows, rows - r0);
        int panels = _mPad / W, stride = kb * W, full = _d / W, d = _d;
        for (int i = 0; i < kb; i++)
        {
            var xr = x.AsSpan((r0 + i) * d, d);
            for (int p = 0; p < full; p++)
            {
                int q = p * W;
                var dst = pack.AsSpan(p * stride + i * W, W);
                (Vector256.Create<double>(xr.Slice(q, 4)) - Vector256.Create<double>(shift.AsSpan(q, 4))).CopyTo(dst);
                (Vector256.Create<double>(xr.Slice(q + 4, 4)) - Vector256.Create<double>(shift.AsSpan(q + 4, 4))).CopyTo(dst[4..]);
            }
            var tail = pack.AsSpan(full * stride + i * W, W);
            tail.Clear();
            for (int j = full * W; j < d; j++) tail[j - full * W] = xr[j] - shift[j];
            Put(pack, stride, i, d, 1);
            Put(pack, stride, i, d + 1, y[r0 + i] - shift[d]);
            for (int p = full + 1; p < panels; p++)
                if (p * W > d + 1) pack.AsSpan(p * stride + i * W, W).Clear();
        }
        if (Kernel == 0 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated) Tiles512(pack, kb, panels, acc);
        else if (Kernel <= 256 && Fma.IsSupported && Vector256.IsHardwareAccelerated) Tiles256(pack, kb, panels, acc);
        else TilesScalar(pack, kb, acc);
    }

    private static void Put(double[] pack, int stride, int i, int c, double v) => pack[c / W * stride + i * W + c % W] = v;

    private void Tiles512(double[] pack, int kb, int panels, double[] acc)
    {
        int stride = kb * W;
        ref double p = ref MemoryMarshal.GetArrayDataReference(pack);
        ref double c = ref MemoryMarshal.GetArrayDataReference(acc);
        for (int a = 0; a < panels; a++)
            for (int t = a / 2; t < panels / 2; t++) // 8×16 tiles that reach the diagonal: columns 16t.. with 16t+15 >= 8a
                Kernel8x16(ref Unsafe.Add(ref p, a * stride), ref Unsafe.Add(ref p, 2 * t * stride), ref Unsafe.Add(ref p, (2 * t + 1) * stride),
                    kb, ref Unsafe.Add(ref c, W * a * _mPad + 16 * t), _mPad);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel8x16(ref double pa, ref double pb0, ref double pb1, int kb, ref double c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<double> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int i = 0; i < kb; i++)
        {
            nuint o = (nuint)(W * i);
            var b0 = Vector512.LoadUnsafe(ref pb0, o);
            var b1 = Vector512.LoadUnsafe(ref pb1, o);
            ref double ai = ref Unsafe.Add(ref pa, W * i);
            var a = Vector512.Create(ai); c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(Unsafe.Add(ref ai, 1)); c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(Unsafe.Add(ref ai, 2)); c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(Unsafe.Add(ref ai, 3)); c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(Unsafe.Add(ref ai, 4)); c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(Unsafe.Add(ref ai, 5)); c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(Unsafe.Add(ref ai, 6)); c60 = Avx512F.FusedMultiplyAdd(a, b0, c60); c61 = Avx512F.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(Unsafe.Add(ref ai, 7)); c70 = Avx512F.FusedMultiplyAdd(a, b0, c70); c71 = Avx512F.FusedMultiplyAdd(a, b1, c71);
        }
        Store(ref c, 0, c00, c01); Store(ref c, (nuint)ldc, c10, c11);
        Store(ref c, (nuint)(2 * ldc), c20, c21); Store(ref c, (nuint)(3 * ldc), c30, c31);
        Store(ref c, (nuint)(4 * ldc), c40, c41); Store(ref c, (nuint)(5 * ldc), c50, c51);
        Store(ref c, (nuint)(6 * ldc), c60, c61); Store(ref c, (nuint)(7 * ldc), c70, c71);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double c, nuint o, Vector512<double> lo, Vector512<double> hi)
    {
        (Vector512.LoadUnsafe(ref c, o) + lo).StoreUnsafe(ref c, o);
        (Vector512.LoadUnsafe(ref c, o + 8) + hi).StoreUnsafe(ref c, o + 8);
    }

    private void Tiles256(double[] pack, int kb, int panels, double[] acc)
    {
        int stride = kb * W;
        ref double p = ref MemoryMarshal.GetArrayDataReference(pack);
        ref double c = ref MemoryMarshal.GetArrayDataReference(acc);
        for (int a = 0; a < panels; a++)
            for (int half = 0; half < 2; half++)
                for (int t = a; t < panels; t++) // 4×8 tiles: rows 8a+4·half.., columns 8t..
                    Kernel4x8(ref Unsafe.Add(ref p, a * stride + 4 * half), ref Unsafe.Add(ref p, t * stride), kb,
                        ref Unsafe.Add(ref c, (W * a + 4 * half) * _mPad + W * t), _mPad);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel4x8(ref double pa, ref double pb, int kb, ref double c, int ldc)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int i = 0; i < kb; i++)
        {
            nuint o = (nuint)(W * i);
            var b0 = Vector256.LoadUnsafe(ref pb, o);
            var b1 = Vector256.LoadUnsafe(ref pb, o + 4);
            ref double ai = ref Unsafe.Add(ref pa, W * i);
            var a = Vector256.Create(ai); c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Vector256.Create(Unsafe.Add(ref ai, 1)); c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Vector256.Create(Unsafe.Add(ref ai, 2)); c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Vector256.Create(Unsafe.Add(ref ai, 3)); c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
        }
        Store(ref c, 0, c00, c01); Store(ref c, (nuint)ldc, c10, c11);
        Store(ref c, (nuint)(2 * ldc), c20, c21); Store(ref c, (nuint)(3 * ldc), c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double c, nuint o, Vector256<double> lo, Vector256<double> hi)
    {
        (Vector256.LoadUnsafe(ref c, o) + lo).StoreUnsafe(ref c, o);
        (Vector256.LoadUnsafe(ref c, o + 4) + hi).StoreUnsafe(ref c, o + 4);
    }

    private void TilesScalar(double[] pack, int kb, double[] acc)
    {
        int stride = kb * W;
        for (int j = 0; j < _mPad; j++)
            for (int k = j; k < _mPad; k++)
            {
                double s = 0;
                int pj = j / W * stride + j % W, pk = k / W * stride + k % W;
                for (int i = 0; i < kb; i++) s += pack[pj + W * i] * pack[pk + W * i];
                acc[j * _mPad + k] += s;
            }
    }

    /// <summary>
    /// The accumulated sums: n, the means of the features and of y, and the centred cross-products
    /// C = Σ (z - z̄)(z - z̄)' of z = [x, y].
    /// </summary>
    public GramSums Result()
    {
        long n = Rows;
        int d = _d, one = d;
        // augmented index of z_j: features 0..d-1, y at d + 1 (the ones column sits at d)
        int Z(int j) => j < d ? j : d + 1;
        double G(int i, int j) => i <= j ? _g[i * _mPad + j] : _g[j * _mPad + i];
        var s = Shift.ToArray();
        var ms = new double[d + 1]; // shifted means Σ (z - s) / n; the true means add s back
        for (int j = 0; j < d + 1; j++) ms[j] = n == 0 ? 0 : G(one, Z(j)) / n;
        var centred = new double[(d + 1) * (d + 1)];
        for (int i = 0; i < d + 1; i++)
            for (int j = i; j < d + 1; j++)
            {
                double v = G(Z(i), Z(j)) - n * ms[i] * ms[j];
                centred[i * (d + 1) + j] = v;
                centred[j * (d + 1) + i] = v;
            }
        var means = new double[d + 1];
        for (int j = 0; j < d + 1; j++) means[j] = s[j] + ms[j];
        return new GramSums(n, d, means, centred);
    }
}

/// <summary>
/// Sufficient statistics of a least-squares problem: n, the means of the d features and y (last),
/// and the centred cross-product matrix of [X, y], (d+1)×(d+1) row-major.
/// </summary>
public sealed record GramSums(long N, int D, double[] Means, double[] Centred)
{
    public double C(int i, int j) => Centred[i * (D + 1) + j];

    /// <summary>The Gram matrix of the design (with a leading ones column when <paramref name="intercept"/>) and its product with y.</summary>
    public (double[] G, double[] Xty, double Yty) Design(bool intercept)
    {
        int d = D, p = intercept ? d + 1 : d, o = intercept ? 1 : 0;
        var g = new double[p * p];
        var xty = new double[p];
        double yb = Means[d];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++) g[(i + o) * p + j + o] = C(i, j) + N * Means[i] * Means[j];
            xty[i + o] = C(i, d) + N * Means[i] * yb;
        }
        if (intercept)
        {
            g[0] = N;
            for (int j = 0; j < d; j++) g[j + 1] = g[(j + 1) * p] = N * Means[j];
            xty[0] = N * yb;
        }
        return (g, xty, C(d, d) + N * yb * yb);
    }
}
