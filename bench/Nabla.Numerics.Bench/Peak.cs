using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Nabla.Numerics.Bench;

/// <summary>The machine's FP64 FMA peak: independent FMA chains in registers on every core.</summary>
public static class Peak
{
    public static void Run()
    {
        foreach (bool wide in new[] { false, true })
        {
            if (wide && !Vector512.IsHardwareAccelerated) continue;
            foreach (int threads in new[] { 1, Environment.ProcessorCount })
            {
                double best = 0;
                for (int rep = 0; rep < 3; rep++)
                {
                    const long iters = 100_000_000;
                    var sw = Stopwatch.StartNew();
                    Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => Sink(wide ? Loop512(iters) : Loop256(iters)));
                    double flops = (double)iters * 12 * (wide ? 8 : 4) * 2 * threads;
                    best = Math.Max(best, flops / sw.Elapsed.TotalSeconds / 1e9);
                }
                Console.WriteLine($"peak|{(wide ? "Vector512" : "Vector256")} FMA, {threads} thread(s)|-|{best:F1}");
            }
        }
    }

    private static double _sink;
    private static void Sink(double v) => _sink += v;

    private static double Loop256(long n)
    {
        var a = Vector256.Create(1.0000001); var b = Vector256.Create(0.9999999);
        Vector256<double> c0 = a, c1 = b, c2 = a, c3 = b, c4 = a, c5 = b, c6 = a, c7 = b, c8 = a, c9 = b, c10 = a, c11 = b;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b); c2 = Vector256.FusedMultiplyAdd(c2, a, b);
            c3 = Vector256.FusedMultiplyAdd(c3, a, b); c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b); c8 = Vector256.FusedMultiplyAdd(c8, a, b);
            c9 = Vector256.FusedMultiplyAdd(c9, a, b); c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static double Loop512(long n)
    {
        var a = Vector512.Create(1.0000001); var b = Vector512.Create(0.9999999);
        Vector512<double> c0 = a, c1 = b, c2 = a, c3 = b, c4 = a, c5 = b, c6 = a, c7 = b, c8 = a, c9 = b, c10 = a, c11 = b;
        for (long i = 0; i < n; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b); c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b); c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b); c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b); c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
