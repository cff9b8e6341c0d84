using System.Diagnostics;

namespace Nabla.Numerics.Bench;

/// <summary>The one timing loop of the side-by-side drivers: warm up past the JIT's tiers, then time single calls.</summary>
public static class Timing
{
    /// <summary>Milliseconds of <paramref name="reps"/> single calls, after at least 5 calls and <paramref name="warmMs"/> ms of warm-up.</summary>
    public static List<double> Time(int reps, Action body, int warmMs)
    {
        var warm = Stopwatch.StartNew();
        for (int calls = 0; calls < 5 || warm.ElapsedMilliseconds < warmMs; calls++) body();
        var ms = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            body();
            ms.Add(sw.Elapsed.TotalMilliseconds);
        }
        return ms;
    }
}
