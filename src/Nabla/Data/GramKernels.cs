using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Data;

/// <summary>
/// The syrk micro-kernels behind <see cref="GramAccumulator"/>: C += P'P on the upper triangle, for a packed
/// row block P (kb rows × ldc columns, stored as panels of 8 columns, each panel a contiguous kb×8 strip).
/// C is ldc×ldc row-major; only tiles on or above the diagonal are touched (the lower half of the 8×8
/// diagonal tiles is computed and ignored).
/// </summary>
internal static class GramKernels
{
    private const int W = 8;

    /// <summary>
    /// Doubles from one packed row to the next for ldc = d + 2 rounded up to 8: ldc, or one cache line more where ldc
    /// is a multiple of 64 (rows 512·k bytes apart would crowd a few L1 sets while a tile walks down the rows).
    /// </summary>
    public static int RowStride(int ldc) => ldc % 64 == 0 ? ldc + W : ldc;

    /// <summary>A buffer of at least <paramref name="length"/> doubles starting on a 64-byte boundary (pinned, so it stays there).</summary>
    public static (double[] Array, int Offset) Aligned(int length)
    {
        var a = GC.AllocateArray<double>(length + W, pinned: true);
        var h = GCHandle.Alloc(a, GCHandleType.Pinned);
        long addr = h.AddrOfPinnedObject();
        h.Free();
        return (a, (int)((64 - addr % 64) % 64 / sizeof(double)));
    }

    /// <summary>
    /// Packs kb rows of the row-major x (kb×d) and y into rows of <paramref name="ldp"/> doubles, z = [x - s, 1, y - s_y, 0…]
    /// (<paramref name="shift"/> is the features' shift, then y's): a streaming copy, so that the tiles read 8 aligned columns
    /// of a row at a time. <paramref name="simd"/>: 512 uses Vector512, 256 Vector256, anything else a plain loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Pack(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> shift, int d, int kb, int ldp, Span<double> pack, int simd)
    {
        if (x.Length < kb * d || y.Length < kb || shift.Length < d + 1 || pack.Length < kb * ldp || ldp < d + 2)
            throw new ArgumentException("pack: sizes do not match");
        ref double px = ref MemoryMarshal.GetReference(x);
        ref double ps = ref MemoryMarshal.GetReference(shift);
        ref double pk = ref MemoryMarshal.GetReference(pack);
        double sy = shift[d];
        bool wide = simd == 512;
        int f0 = wide ? d / W * W : simd == 256 ? d / 4 * 4 : 0;
        for (int i = 0; i < kb; i++)
        {
            ref double xr = ref Unsafe.Add(ref px, (nint)i * d);
            ref double dst = ref Unsafe.Add(ref pk, (nint)i * ldp);
            if (wide)
                for (int j = 0; j < f0; j += W)
                    (Vector512.LoadUnsafe(ref xr, (nuint)j) - Vector512.LoadUnsafe(ref ps, (nuint)j)).StoreUnsafe(ref dst, (nuint)j);
            else
                for (int j = 0; j < f0; j += 4)
                    (Vector256.LoadUnsafe(ref xr, (nuint)j) - Vector256.LoadUnsafe(ref ps, (nuint)j)).StoreUnsafe(ref dst, (nuint)j);
            for (int j = f0; j < d; j++) Unsafe.Add(ref dst, j) = Unsafe.Add(ref xr, j) - Unsafe.Add(ref ps, j);
            Unsafe.Add(ref dst, d) = 1;
            Unsafe.Add(ref dst, d + 1) = y[i] - sy;
            for (int j = d + 2; j < ldp; j++) Unsafe.Add(ref dst, j) = 0;
        }
    }

    /// <summary>AVX-512: for each row panel a, 8×16 tiles over column panels a, a+1 | a+2, a+3 | …, an 8×8 tile for an odd one left.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // own frame for the 16 accumulators, no tiering
    public static void Tiles512(Span<double> pack, int kb, int rs, int stride, int panels, Span<double> acc, int ldc)
    {
        if (pack.Length < (kb - 1) * rs + (panels - 1) * stride + W || acc.Length < panels * W * ldc || ldc < panels * W) throw new ArgumentException("tiles: sizes do not match");
        ref double p = ref MemoryMarshal.GetReference(pack);
        ref double c = ref MemoryMarshal.GetReference(acc);
        for (int a = 0; a < panels; a++)
        {
            ref double pa = ref Unsafe.Add(ref p, a * stride);
            ref double ca = ref Unsafe.Add(ref c, W * a * ldc);
            int t = a;
            for (; t + 1 < panels; t += 2)
                Kernel8x16(ref pa, ref Unsafe.Add(ref p, t * stride), ref Unsafe.Add(ref p, (t + 1) * stride), kb, rs, ref Unsafe.Add(ref ca, W * t), ldc);
            if (t < panels) Kernel8x8(ref pa, ref Unsafe.Add(ref p, t * stride), kb, rs, ref Unsafe.Add(ref ca, W * t), ldc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel8x16(ref double pa, ref double pb0, ref double pb1, int kb, int rs, ref double c, int ldc)
    {
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<double> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int i = 0; i < kb; i++)
        {
            nuint o = (nuint)(rs * i);
            var b0 = Vector512.LoadUnsafe(ref pb0, o);
            var b1 = Vector512.LoadUnsafe(ref pb1, o);
            ref double ai = ref Unsafe.Add(ref pa, rs * i);
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

    /// <summary>One 8×8 tile; even and odd rows go to separate accumulators so that 16 FMA chains hide the latency.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel8x8(ref double pa, ref double pb, int kb, int rs, ref double c, int ldc)
    {
        Vector512<double> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<double> e0 = default, e1 = default, e2 = default, e3 = default, e4 = default, e5 = default, e6 = default, e7 = default;
        int i = 0;
        for (; i + 1 < kb; i += 2)
        {
            nuint o = (nuint)(rs * i);
            var b0 = Vector512.LoadUnsafe(ref pb, o);
            var b1 = Vector512.LoadUnsafe(ref pb, o + (nuint)rs);
            ref double ai = ref Unsafe.Add(ref pa, rs * i);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai), b0, c0); e0 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs)), b1, e0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 1)), b0, c1); e1 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs + 1)), b1, e1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 2)), b0, c2); e2 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs + 2)), b1, e2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 3)), b0, c3); e3 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs + 3)), b1, e3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 4)), b0, c4); e4 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs + 4)), b1, e4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 5)), b0, c5); e5 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs + 5)), b1, e5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 6)), b0, c6); e6 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs + 6)), b1, e6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 7)), b0, c7); e7 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, rs + 7)), b1, e7);
        }
        if (i < kb)
        {
            nuint o = (nuint)(rs * i);
            var b0 = Vector512.LoadUnsafe(ref pb, o);
            ref double ai = ref Unsafe.Add(ref pa, rs * i);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ai), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 1)), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 2)), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 3)), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 4)), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 5)), b0, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 6)), b0, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, 7)), b0, c7);
        }
        Add(ref c, 0, c0 + e0); Add(ref c, (nuint)ldc, c1 + e1);
        Add(ref c, (nuint)(2 * ldc), c2 + e2); Add(ref c, (nuint)(3 * ldc), c3 + e3);
        Add(ref c, (nuint)(4 * ldc), c4 + e4); Add(ref c, (nuint)(5 * ldc), c5 + e5);
        Add(ref c, (nuint)(6 * ldc), c6 + e6); Add(ref c, (nuint)(7 * ldc), c7 + e7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref double c, nuint o, Vector512<double> v) => (Vector512.LoadUnsafe(ref c, o) + v).StoreUnsafe(ref c, o);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double c, nuint o, Vector512<double> lo, Vector512<double> hi)
    {
        (Vector512.LoadUnsafe(ref c, o) + lo).StoreUnsafe(ref c, o);
        (Vector512.LoadUnsafe(ref c, o + 8) + hi).StoreUnsafe(ref c, o + 8);
    }

    /// <summary>AVX2 fallback: 4×8 tiles (two half panels of rows against each column panel from the diagonal on).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // own frame for the 16 accumulators, no tiering
    public static void Tiles256(Span<double> pack, int kb, int rs, int stride, int panels, Span<double> acc, int ldc)
    {
        if (pack.Length < (kb - 1) * rs + (panels - 1) * stride + W || acc.Length < panels * W * ldc || ldc < panels * W) throw new ArgumentException("tiles: sizes do not match");
        ref double p = ref MemoryMarshal.GetReference(pack);
        ref double c = ref MemoryMarshal.GetReference(acc);
        for (int a = 0; a < panels; a++)
            for (int half = 0; half < 2; half++)
                for (int t = a; t < panels; t++) // 4×8 tiles: rows 8a+4·half.., columns 8t..
                    Kernel4x8(ref Unsafe.Add(ref p, a * stride + 4 * half), ref Unsafe.Add(ref p, t * stride), kb, rs,
                        ref Unsafe.Add(ref c, (W * a + 4 * half) * ldc + W * t), ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel4x8(ref double pa, ref double pb, int kb, int rs, ref double c, int ldc)
    {
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int i = 0; i < kb; i++)
        {
            nuint o = (nuint)(rs * i);
            var b0 = Vector256.LoadUnsafe(ref pb, o);
            var b1 = Vector256.LoadUnsafe(ref pb, o + 4);
            ref double ai = ref Unsafe.Add(ref pa, rs * i);
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

    /// <summary>The definition, one dot product per upper-triangle entry: the reference path without SIMD.</summary>
    public static void TilesScalar(Span<double> pack, int kb, int rs, int stride, Span<double> acc, int ldc)
    {
        for (int j = 0; j < ldc; j++)
            for (int k = j; k < ldc; k++)
            {
                double s = 0;
                int pj = j / W * stride + j % W, pk = k / W * stride + k % W;
                for (int i = 0; i < kb; i++) s += pack[pj + rs * i] * pack[pk + rs * i];
                acc[j * ldc + k] += s;
            }
    }
}
