namespace Nabla.Web;

/// <summary>How a piece of gated work ended.</summary>
internal enum GateOutcome { Done, TimedOut, Busy }

/// <summary>
/// Bounded concurrency with a time budget. The engine has no cancellation hooks, so work past its budget
/// is abandoned, not stopped: it keeps its slot until it really ends, which keeps runaway requests from
/// multiplying. Requests beyond the queue's length, or that wait too long for a slot, are turned away.
/// </summary>
internal sealed class WorkGate(WebOptions options)
{
    private readonly SemaphoreSlim slots = new(options.MaxConcurrent, options.MaxConcurrent);
    private int queued;

    public async Task<(GateOutcome Outcome, T? Result)> RunAsync<T>(Func<T> work, CancellationToken aborted)
    {
        if (Interlocked.Increment(ref queued) > options.MaxQueued + options.MaxConcurrent)
        {
            Interlocked.Decrement(ref queued);
            return (GateOutcome.Busy, default);
        }
        bool entered;
        try
        {
            entered = await slots.WaitAsync(options.QueueTimeout, aborted);
        }
        catch (OperationCanceledException)
        {
            entered = false;
        }
        finally
        {
            Interlocked.Decrement(ref queued);
        }
        if (!entered) return (GateOutcome.Busy, default);

        // The worker carries a cooperative budget too, so abandoned work stops soon after the deadline and frees its slot.
        var task = Task.Run(() =>
        {
            using var budget = Nabla.Diagnostics.Budget.Start(options.TimeBudget + TimeSpan.FromMilliseconds(250));
            return work();
        }, CancellationToken.None);
        _ = task.ContinueWith(_ => slots.Release(), TaskScheduler.Default);
        try
        {
            return (GateOutcome.Done, await task.WaitAsync(options.TimeBudget, aborted));
        }
        catch (TimeoutException)
        {
            return (GateOutcome.TimedOut, default);
        }
    }
}
