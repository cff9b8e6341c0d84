using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.LinearAlgebra;

/// <summary>
/// Cache-blocked, packed GEMM in the Goto/BLIS style: B is packed in KC×NC panels (kept in L3), A in MC×KC
/// blocks (kept in L2, one per thread), and a register-blocked micro-kernel computes MR×NR tiles of C with
/// FMA on 256-bit vectors (6×8), or on 512-bit vectors (6×16) where the CPU has AVX-512.
/// Row-major throughout; transposes are handled while packing, never materialised.
/// </summary>
internal static unsafe class ManagedGemm
{
    internal const int MR = 6;

    /// <summary>The blocking for the 256-bit kernel (NR = 8) and the 512-bit one (NR = 16), from this CPU's caches.</summary>
    internal static readonly GemmBlocking Blocking256 = GemmBlocking.For(8), Blocking512 = GemmBlocking.For(16);

    /// <summary>Whether the 512-bit micro-kernel is used (AVX-512 present).</summary>
    internal static readonly bool UseVector512 = Vector512.IsHardwareAccelerated;

    /// <summary>The arguments of one GEMM, kept per calling thread (with its loop bodies) so a call allocates nothing.</summary>
    private sealed class Job
    {
        public bool TA, TB, Wide;
        public int M, N, K, Lda, Ldb, Ldc, Nr, Kc, Nc, Pc, Jc, Mc, Threads, Slivers, Blocks, Next;
        public double Alpha;
        public double* A, B, C, Bp;
        public readonly Action<int> PackBody, BlockBody;

        public Job()
        {
            PackBody = t => PackB(this, t * Slivers / Threads, (t + 1) * Slivers / Threads);
            BlockBody = _ =>
            {
                for (int i = Interlocked.Increment(ref Next) - 1; i < Blocks; i = Interlocked.Increment(ref Next) - 1) Block(this, i);
            };
        }
    }

    [ThreadStatic] private static Job? t_job;

    /// <summary>A product split along k (a tall inner dimension): its arguments and its loop body, kept per calling thread.</summary>
    private sealed class SplitJob
    {
        public bool TA, TB, Wide;
        public int M, N, K, Lda, Ldb, Parts;
        public double Alpha;
        public double* A, B, Partial;
        public readonly Action<int> Body;

        public SplitJob()
        {
            Body = t =>
            {
                int k0 = (int)((long)K * t / Parts), k1 = (int)((long)K * (t + 1) / Parts);
                double* a = TA ? A + (long)k0 * Lda : A + k0;
                double* b = TB ? B + k0 : B + (long)k0 * Ldb;
                Run(TA, TB, M, N, k1 - k0, Alpha, a, Lda, b, Ldb, Partial + (long)t * M * N, N, 1, Wide);
            };
        }
    }

    [ThreadStatic] private static SplitJob? t_split;

    /// <summary>
    /// Whether to split along k: a small C (X'X of a tall X, X'·diag(s)·X) over a long inner dimension, where splitting
    /// C's rows would give each core little work and a synchronisation per KC slab; each core instead takes a run of k
    /// into a private C and the parts are added in order (the same answer for the same thread count).
    /// </summary>
    private static bool SplitsAlongK(int m, int n, int k, int threads) =>
        threads > 1 && (long)m * n <= 1 << 16 && k >= 8L * Math.Max(m, n) && k >= 1024;

    /// <summary>C = alpha·op(A)·op(B) + C (beta already applied by the caller).</summary>
    public static void Run(bool ta, bool tb, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb,
        double* c, int ldc, int threads, bool? wide = null)
    {
        bool w = wide ?? UseVector512;
        if (SplitsAlongK(m, n, k, threads)) { RunSplit(ta, tb, m, n, k, alpha, a, lda, b, ldb, c, ldc, threads, w); return; }
        int nr = w ? 16 : 8;
        var blocking = w ? Blocking512 : Blocking256;
        int kcMax = blocking.KC, mcMax = blocking.MC, ncMax = blocking.NC;
        int nb = (m + mcMax - 1) / mcMax;
        if (threads > 1) nb = Math.Max(threads, (nb + threads - 1) / threads * threads);
        int mc = Math.Min(mcMax, ((m + nb - 1) / nb + MR - 1) / MR * MR);
        var bBuf = ArrayPool<double>.Shared.Rent(kcMax * (Math.Min(ncMax, (n + nr - 1) / nr * nr) + nr));
        var team = WorkerTeam.Shared;
        try
        {
            fixed (double* bp = bBuf)
            {
                var job = t_job ??= new Job();
                job.TA = ta; job.TB = tb; job.Wide = w; job.M = m; job.N = n; job.K = k; job.Lda = lda; job.Ldb = ldb; job.Ldc = ldc;
                job.Nr = nr; job.Alpha = alpha; job.A = a; job.B = b; job.C = c; job.Bp = bp; job.Mc = mc; job.Threads = Math.Max(1, threads);
                for (int jc = 0; jc < n; jc += ncMax)
                {
                    job.Jc = jc;
                    job.Nc = Math.Min(ncMax, n - jc);
                    for (int pc = 0; pc < k; pc += kcMax)
                    {
                        job.Pc = pc;
                        job.Kc = Math.Min(kcMax, k - pc);
                        job.Slivers = (job.Nc + nr - 1) / nr;
                        if (threads > 1 && job.Slivers > 1) team.Run(job.Threads, job.PackBody);
                        else PackB(job, 0, job.Slivers);
                        job.Blocks = (m + mc - 1) / mc;
                        job.Next = 0;
                        if (threads > 1 && job.Blocks > 1) team.Run(job.Threads, job.BlockBody);
                        else job.BlockBody(0);
                    }
                }
            }
        }
        finally { ArrayPool<double>.Shared.Return(bBuf); }
    }

    private static void RunSplit(bool ta, bool tb, int m, int n, int k, double alpha, double* a, int lda, double* b, int ldb,
        double* c, int ldc, int threads, bool wide)
    {
        int parts = Math.Min(threads, WorkerTeam.Shared.Size);
        var buffer = ArrayPool<double>.Shared.Rent(parts * m * n);
        try
        {
            Array.Clear(buffer, 0, parts * m * n);
            fixed (double* partial = buffer)
            {
                var job = t_split ??= new SplitJob();
                job.TA = ta; job.TB = tb; job.Wide = wide; job.M = m; job.N = n; job.K = k; job.Lda = lda; job.Ldb = ldb;
                job.Parts = parts; job.Alpha = alpha; job.A = a; job.B = b; job.Partial = partial;
                WorkerTeam.Shared.Run(parts, job.Body);
                for (int t = 0; t < parts; t++)
                {
                    double* p = partial + (long)t * m * n;
                    for (int i = 0; i < m; i++)
                    {
                        var dst = new Span<double>(c + (long)i * ldc, n);
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, new ReadOnlySpan<double>(p + (long)i * n, n), dst);
                    }
                }
            }
        }
        finally { ArrayPool<double>.Shared.Return(buffer); }
    }

    private static void PackB(Job j, int s0, int s1)
    {
        int nr = j.Nr, kc = j.Kc;
        for (int s = s0; s < s1; s++)
        {
            int col = j.Jc + s * nr, cols = Math.Min(nr, j.Jc + j.Nc - col);
            double* dst = j.Bp + (long)s * kc * nr;
            if (!j.TB)
            {
                for (int p = 0; p < kc; p++)
                {
                    double* src = j.B + (long)(j.Pc + p) * j.Ldb + col;
                    double* d = dst + p * nr;
                    int q = 0;
                    for (; q < cols; q++) d[q] = src[q];
                    for (; q < nr; q++) d[q] = 0;
                }
            }
            else
            {
                for (int q = 0; q < nr; q++)
                {
                    if (q >= cols) { for (int p = 0; p < kc; p++) dst[p * nr + q] = 0; continue; }
                    double* src = j.B + (long)(col + q) * j.Ldb + j.Pc;
                    for (int p = 0; p < kc; p++) dst[p * nr + q] = src[p];
                }
            }
        }
    }

    private static void Block(Job j, int blockIndex)
    {
        int ic = blockIndex * j.Mc;
        int mc = Math.Min(j.Mc, j.M - ic);
        if (mc <= 0) return;
        int kc = j.Kc, nr = j.Nr;
        var aBuf = ArrayPool<double>.Shared.Rent((j.Mc + MR) * kc);
        double* tile = stackalloc double[MR * 16];
        try
        {
            fixed (double* ap = aBuf)
            {
                PackA(j, ap, ic, mc);
                int slivers = (j.Nc + nr - 1) / nr;
                for (int s = 0; s < slivers; s++)
                {
                    int col = j.Jc + s * nr, cols = Math.Min(nr, j.Jc + j.Nc - col);
                    double* bs = j.Bp + (long)s * kc * nr;
                    for (int ir = 0; ir < mc; ir += MR)
                    {
                        int rows = Math.Min(MR, mc - ir);
                        double* cp = j.C + (long)(ic + ir) * j.Ldc + col;
                        double* aS = ap + ir * kc;
                        if (rows == MR && cols == nr)
                        {
                            if (j.Wide) Kernel512(kc, aS, bs, cp, j.Ldc, j.Alpha);
                            else Kernel256(kc, aS, bs, cp, j.Ldc, j.Alpha);
                        }
                        else
                        {
                            new Span<double>(tile, MR * nr).Clear();
                            if (j.Wide) Kernel512(kc, aS, bs, tile, nr, j.Alpha);
                            else Kernel256(kc, aS, bs, tile, nr, j.Alpha);
                            for (int r = 0; r < rows; r++)
                                for (int q = 0; q < cols; q++) cp[(long)r * j.Ldc + q] += tile[r * nr + q];
                        }
                    }
                }
            }
        }
        finally { ArrayPool<double>.Shared.Return(aBuf); }
    }

    private static void PackA(Job j, double* dst, int ic, int mc)
    {
        int kc = j.Kc;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            double* d = dst + ir * kc;
            if (!j.TA)
            {
                for (int r = 0; r < MR; r++)
                {
                    if (r >= rows) { for (int p = 0; p < kc; p++) d[p * MR + r] = 0; continue; }
                    double* src = j.A + (long)(ic + ir + r) * j.Lda + j.Pc;
                    for (int p = 0; p < kc; p++) d[p * MR + r] = src[p];
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    double* src = j.A + (long)(j.Pc + p) * j.Lda + ic + ir;
                    int r = 0;
                    for (; r < rows; r++) d[p * MR + r] = src[r];
                    for (; r < MR; r++) d[p * MR + r] = 0;
                }
            }
        }
    }

    /// <summary>C[6×8] += alpha · A-sliver · B-sliver, twelve 256-bit accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, double* a, double* b, double* c, int ldc, double alpha)
    {
        PrefetchTile(c, ldc, 8);
        Vector256<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 4);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += MR;
            b += 8;
        }
        var al = Vector256.Create(alpha);
        Store(c, c00, c01, al); Store(c + ldc, c10, c11, al); Store(c + 2 * ldc, c20, c21, al);
        Store(c + 3 * ldc, c30, c31, al); Store(c + 4 * ldc, c40, c41, al); Store(c + 5 * ldc, c50, c51, al);
    }

    /// <summary>
    /// Asks for the C tile's cache lines before the k loop (as BLIS's micro-kernels do): the tile is read and written
    /// only after it, and its rows lie a row of C apart, so without this each row's misses are paid at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(double* c, int ldc, int width)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        for (int r = 0; r < MR; r++)
        {
            double* row = c + (long)r * ldc;
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(row);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + width - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double* c, Vector256<double> v0, Vector256<double> v1, Vector256<double> al)
    {
        Vector256.FusedMultiplyAdd(al, v0, Vector256.Load(c)).Store(c);
        Vector256.FusedMultiplyAdd(al, v1, Vector256.Load(c + 4)).Store(c + 4);
    }

    /// <summary>C[6×16] += alpha · A-sliver · B-sliver, twelve 512-bit accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, double* a, double* b, double* c, int ldc, double alpha)
    {
        PrefetchTile(c, ldc, 16);
        Vector512<double> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 8);
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            a += MR;
            b += 16;
        }
        var al = Vector512.Create(alpha);
        Store(c, c00, c01, al); Store(c + ldc, c10, c11, al); Store(c + 2 * ldc, c20, c21, al);
        Store(c + 3 * ldc, c30, c31, al); Store(c + 4 * ldc, c40, c41, al); Store(c + 5 * ldc, c50, c51, al);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double* c, Vector512<double> v0, Vector512<double> v1, Vector512<double> al)
    {
        Vector512.FusedMultiplyAdd(al, v0, Vector512.Load(c)).Store(c);
        Vector512.FusedMultiplyAdd(al, v1, Vector512.Load(c + 8)).Store(c + 8);
    }
}

/// <summary>
/// The cache blocking of the packed GEMM, derived from the CPU it runs on the way BLIS's analytical model does
/// (Low et al., 2016), not tuned constants: a KC×NR sliver of B fills half of the L1 data cache (the other half holds
/// the A sliver and C's lines), an MC×KC block of A half of L2, and a KC×NC panel of B a quarter of L3 (shared with
/// the other cores). Cache sizes come from Linux's sysfs; where it is absent, 32 KB / 512 KB / 8 MB.
/// </summary>
internal sealed record GemmBlocking(int KC, int MC, int NC, long L1, long L2, long L3)
{
    /// <summary>The blocking for micro-kernels NR wide (and MR = 6 high).</summary>
    public static GemmBlocking For(int nr)
    {
        var (l1, l2, l3) = CacheSizes();
        int kc = (int)Math.Clamp(l1 / 2 / (nr * sizeof(double)) / 16 * 16, 64, 1024);
        int mc = (int)Math.Clamp(l2 / 2 / (kc * sizeof(double)) / ManagedGemm.MR * ManagedGemm.MR, 4 * ManagedGemm.MR, 80 * ManagedGemm.MR);
        int nc = (int)Math.Clamp(l3 / 4 / (kc * sizeof(double)) / nr * nr, 32 * nr, 8192 / nr * nr);
        return new GemmBlocking(kc, mc, nc, l1, l2, l3);
    }

    /// <summary>L1 data, L2 and L3 sizes in bytes of CPU 0, from /sys/devices/system/cpu/cpu0/cache (defaults where unknown).</summary>
    internal static (long L1, long L2, long L3) CacheSizes()
    {
        long l1 = 32 << 10, l2 = 512 << 10, l3 = 8 << 20;
        try
        {
            const string root = "/sys/devices/system/cpu/cpu0/cache";
            if (!Directory.Exists(root)) return (l1, l2, l3);
            foreach (var dir in Directory.GetDirectories(root, "index*"))
            {
                string level = Read(dir, "level"), type = Read(dir, "type");
                long size = ParseSize(Read(dir, "size"));
                if (size <= 0) continue;
                if (level == "1" && type == "Data") l1 = size;
                else if (level == "2" && type is "Unified" or "Data") l2 = size;
                else if (level == "3") l3 = size;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return (l1, l2, l3);
    }

    private static string Read(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
    }

    /// <summary>"32K", "512K", "32768K", "1M" as bytes; 0 when it cannot be read.</summary>
    internal static long ParseSize(string text)
    {
        if (text.Length == 0) return 0;
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1 << 10, 'M' => 1 << 20, 'G' => 1 << 30, _ => 1 };
        var digits = unit == 1 ? text : text[..^1];
        return long.TryParse(digits, out var v) && v > 0 ? v * unit : 0;
    }
}
