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
    private readonly int _d;      // features
    private readonly int _m;      // augmented width: 1 + d + 1
    private readonly int _mPad;   // rounded up to a multiple of 8
    private readonly double[] _g; // _mPad × _mPad, upper triangle accumulated
    private readonly object _lock = new();
    private double[]? _shift;     // d + 1 entries: the features' shift, then y's

    public GramAccumulator(int features)
    {
        if (features < 0) throw new ArgumentOutOfRangeException(nameof(features));
        _d = features;
        _m = features + 2;
        _mPad = (_m + 7) / 8 * 8;
        _g = new double[_mPad * _mPad];
    }

    public int Features => _d;

    /// <summary>Rows accumulated so far.</summary>
    public long Rows { get; private set; }

    /// <summary>The shift subtracted from each row (features then y); zeros before the first row.</summary>
    public ReadOnlySpan<double> Shift => _shift ?? new double[_d + 1];

    /// <summary>Adds <paramref name="rows"/> rows of the row-major <paramref name="x"/> (rows × d) with targets <paramref name="y"/>.</summary>
    public void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int rows)
    {
        if (rows == 0) return;
        if (x.Length < (long)rows * _d || y.Length < rows) throw new ArgumentException("x or y is shorter than rows × d");
        if (_shift is null)
        {
            var s = new double[_d + 1];
            x[.._d].CopyTo(s);
            s[_d] = y[0];
            _shift = s;
        }
        AddArrays(x.ToArray(), y.ToArray(), rows);
    }

    /// <summary>As <see cref="Add(ReadOnlySpan{double}, ReadOnlySpan{double}, int)"/>, without copying the arrays.</summary>
    public void Add(double[] x, double[] y, int rows)
    {
        if (rows == 0) return;
        if (x.Length < (long)rows * _d || y.Length < rows) throw new ArgumentException("x or y is shorter than rows × d");
        if (_shift is null)
        {
            var s = new double[_d + 1];
            Array.Copy(x, s, _d);
            s[_d] = y[0];
            _shift = s;
        }
        AddArrays(x, y, rows);
    }

    private void AddArrays(double[] x, double[] y, int rows)
    {
        int blocks = (rows + BlockRows - 1) / BlockRows;
        var shift = _shift!;
        if (blocks == 1 || (long)rows * _m * _m < 1 << 20)
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

    /// <summary>Packs rows [b·128, …) into panels of 4 columns (1, x - s, y - s_y, zero padding), then accumulates.</summary>
    private void Block(double[] x, double[] y, int rows, int b, double[] shift, double[] pack, double[] acc)
    {
        int r0 = b * BlockRows, kb = Math.Min(BlockRows, rows - r0);
        int panels = _mPad / 4;
        Array.Clear(pack, 0, panels * kb * 4);
        for (int i = 0; i < kb; i++)
        {
            int row = (r0 + i) * _d;
            pack[i * 4] = 1; // column 0: the ones column, panel 0
            for (int j = 0; j < _d; j++)
            {
                int c = j + 1;
                pack[(c >> 2) * kb * 4 + i * 4 + (c & 3)] = x[row + j] - shift[j];
            }
            int cy = _d + 1;
            pack[(cy >> 2) * kb * 4 + i * 4 + (cy & 3)] = y[r0 + i] - shift[_d];
        }
        if (Fma.IsSupported && Vector256.IsHardwareAccelerated) TilesFma(pack, kb, panels, acc);
        else TilesScalar(pack, kb, panels, acc);
    }

    private void TilesFma(double[] pack, int kb, int panels, double[] acc)
    {
        int stride = kb * 4;
        ref double p = ref MemoryMarshal.GetArrayDataReference(pack);
        ref double c = ref MemoryMarshal.GetArrayDataReference(acc);
        for (int a = 0; a < panels; a++)
        {
            // 4×8 tiles whose columns reach the diagonal or beyond: columns 8t.. with 8t+7 >= 4a
            for (int t = (4 * a) / 8; t < panels / 2; t++)
                Kernel4x8(ref Unsafe.Add(ref p, a * stride), ref Unsafe.Add(ref p, 2 * t * stride), ref Unsafe.Add(ref p, (2 * t + 1) * stride),
                    kb, ref Unsafe.Add(ref c, 4 * a * _mPad + 8 * t), _mPad);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel4x8(ref double pa, ref double pb0, ref double pb1, int kb, ref double c, int ldc)
    {
        var c00 = Vector256<double>.Zero; var c01 = Vector256<double>.Zero;
        var c10 = Vector256<double>.Zero; var c11 = Vector256<double>.Zero;
        var c20 = Vector256<double>.Zero; var c21 = Vector256<double>.Zero;
        var c30 = Vector256<double>.Zero; var c31 = Vector256<double>.Zero;
        for (int i = 0; i < kb; i++)
        {
            nuint o = (nuint)(4 * i);
            var b0 = Vector256.LoadUnsafe(ref pb0, o);
            var b1 = Vector256.LoadUnsafe(ref pb1, o);
            ref double ai = ref Unsafe.Add(ref pa, 4 * i);
            var a = Vector256.Create(ai);
            c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Vector256.Create(Unsafe.Add(ref ai, 1));
            c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Vector256.Create(Unsafe.Add(ref ai, 2));
            c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Vector256.Create(Unsafe.Add(ref ai, 3));
            c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
        }
        Store(ref c, 0, c00, c01);
        Store(ref c, (nuint)ldc, c10, c11);
        Store(ref c, (nuint)(2 * ldc), c20, c21);
        Store(ref c, (nuint)(3 * ldc), c30, c31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double c, nuint o, Vector256<double> lo, Vector256<double> hi)
    {
        (Vector256.LoadUnsafe(ref c, o) + lo).StoreUnsafe(ref c, o);
        (Vector256.LoadUnsafe(ref c, o + 4) + hi).StoreUnsafe(ref c, o + 4);
    }

    private void TilesScalar(double[] pack, int kb, int panels, double[] acc)
    {
        int stride = kb * 4;
        for (int j = 0; j < _mPad; j++)
            for (int k = j; k < _mPad; k++)
            {
                double s = 0;
                int pj = (j >> 2) * stride + (j & 3), pk = (k >> 2) * stride + (k & 3);
                for (int i = 0; i < kb; i++) s += pack[pj + 4 * i] * pack[pk + 4 * i];
                acc[j * _mPad + k] += s;
            }
    }

    /// <summary>
    /// The accumulated sums: n, the means of the features and of y, the centred cross-products
    /// C = Σ (x - x̄)(x - x̄)', c = Σ (x - x̄)(y - ȳ), Σ (y - ȳ)² — and, on request, the raw ones.
    /// </summary>
    public GramSums Result()
    {
        long n = Rows;
        int d = _d;
        double G(int i, int j) => i <= j ? _g[i * _mPad + j] : _g[j * _mPad + i];
        var s = Shift.ToArray();
        // shifted means: Σ (z - s) / n; the true means add s back
        var ms = new double[d + 1];
        for (int j = 0; j < d + 1; j++) ms[j] = n == 0 ? 0 : G(0, j + 1) / n;
        var centred = new double[(d + 1) * (d + 1)]; // features then y
        for (int i = 0; i < d + 1; i++)
            for (int j = i; j < d + 1; j++)
            {
                double v = G(i + 1, j + 1) - n * ms[i] * ms[j];
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
