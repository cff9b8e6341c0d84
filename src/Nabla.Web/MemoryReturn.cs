namespace Nabla.Web;

/// <summary>
/// Gives memory back to the system after a large request. The garbage collector keeps the heap it grew for a big
/// answer (a 1,500 × 1,500 Hessian is a 50 MB response) long after the request ends; when the process's working set is
/// over <see cref="Threshold"/> once a response is written, one aggressive, compacting collection runs shortly after
/// (never more often than every <see cref="MinInterval"/>), which decommits the freed segments.
/// </summary>
internal static class MemoryReturn
{
    /// <summary>Above this working set a finished request triggers a collection.</summary>
    public const long Threshold = 256L << 20;

    /// <summary>The least time between two such collections.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(2);

    private static int _scheduled;
    private static long _last;
    private static long _ended;

    /// <summary>How many collections this has run (for tests).</summary>
    public static int Collections;

    public static void AfterRequest()
    {
        Interlocked.Increment(ref _ended);
        if (Environment.WorkingSet < Threshold) return;
        if (Interlocked.Exchange(ref _scheduled, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                long seen;
                do
                {
                    // a request that ends while this collection waits or runs may have held memory it could not free:
                    // collect again after it
                    seen = Interlocked.Read(ref _ended);
                    var wait = TimeSpan.FromTicks(Math.Max(0, _last + MinInterval.Ticks - DateTime.UtcNow.Ticks)) + TimeSpan.FromMilliseconds(50);
                    await Task.Delay(wait);
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    _last = DateTime.UtcNow.Ticks;
                    Interlocked.Increment(ref Collections);
                } while (Interlocked.Read(ref _ended) != seen && Environment.WorkingSet >= Threshold);
            }
            finally { Volatile.Write(ref _scheduled, 0); }
        });
    }
}
