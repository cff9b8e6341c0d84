namespace Nabla.Web;

/// <summary>How a piece of gated work ended.</summary>
internal enum GateOutcome { Done, TimedOut, Busy }

/// <summary>
/// Bounded concurrency with a time budget, in two lanes. Work past its budget is answered at once and stops
/// cooperatively soon after (the engine checks its budget as it goes); until it really ends it keeps its slot, which
/// keeps runaway requests from multiplying. Requests the cost estimate calls heavy (<see cref="CostEstimate"/>) may hold
/// all slots but one, so cheap requests always have a worker while expensive ones run. Requests beyond the queue's
/// length, or that wait longer than the queue time-out for a slot, are turned away (503).
/// </summary>
internal sealed class WorkGate(WebOptions options)
{
    private readonly SemaphoreSlim slots = new(options.MaxConcurrent, options.MaxConcurrent);
    private readonly SemaphoreSlim heavySlots = new(Math.Max(1, options.MaxConcurrent - 1), Math.Max(1, options.MaxConcurrent - 1));
    private int queued;

    public async Task<(GateOutcome Outcome, T? Result)> RunAsync<T>(Func<T> work, CancellationToken aborted, bool heavy = false)
    {
        if (Interlocked.Increment(ref queued) > options.MaxQueued + options.MaxConcurrent)
        {
            Interlocked.Decrement(ref queued);
            return (GateOutcome.Busy, default);
        }
        bool entered = false, lane = false;
        var waitUntil = DateTime.UtcNow + options.QueueTimeout;
        try
        {
            // a heavy request first takes a place in its lane, then a worker: at most all workers but one are heavy
            lane = !heavy || await heavySlots.WaitAsync(options.QueueTimeout, aborted);
            if (lane) entered = await slots.WaitAsync(Max(waitUntil - DateTime.UtcNow, TimeSpan.Zero), aborted);
        }
        catch (OperationCanceledException)
        {
            entered = false;
        }
        finally
        {
            Interlocked.Decrement(ref queued);
        }
        if (!entered)
        {
            if (heavy && lane) heavySlots.Release();
            return (GateOutcome.Busy, default);
        }

        // The worker carries a cooperative budget too, so abandoned work stops soon after the deadline and frees its slot.
        var task = Task.Run(() =>
        {
            using var budget = Nabla.Diagnostics.Budget.Start(options.TimeBudget + TimeSpan.FromMilliseconds(250));
            return work();
        }, CancellationToken.None);
        _ = task.ContinueWith(_ =>
        {
            slots.Release();
            if (heavy) heavySlots.Release();
        }, TaskScheduler.Default);
        try
        {
            return (GateOutcome.Done, await task.WaitAsync(options.TimeBudget, aborted));
        }
        catch (TimeoutException)
        {
            return (GateOutcome.TimedOut, default);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>
/// Which requests are heavy, estimated before any work starts: numeric work on random points (a check, a convexity
/// verdict's probes, the page's <c>/api/check</c>) on a declared variable of at least <see cref="HeavyEntries"/>
/// entries; values given with <c>at</c> of that many numbers (or a Jacobian or Hessian at a tenth of them, whose
/// answer grows as their square); or an expression of more than <see cref="HeavyText"/> characters.
/// An estimate, not a limit: the time budget still bounds every request.
/// </summary>
internal static class CostEstimate
{
    /// <summary>A declared variable with this many entries makes numeric work heavy.</summary>
    public const long HeavyEntries = 10_000;

    /// <summary>An expression longer than this is heavy whatever is asked of it.</summary>
    public const int HeavyText = 2_000;

    public static bool IsHeavy(System.Text.Json.Nodes.JsonObject request, bool numericEndpoint)
    {
        if (request["expr"] is System.Text.Json.Nodes.JsonValue e && e.TryGetValue<string>(out var text) && text.Length > HeavyText) return true;
        // values given: the work is sized by them (the body limit bounds them), a Jacobian or Hessian by their square
        if (request["at"] is System.Text.Json.Nodes.JsonObject at)
        {
            long given = Numbers(at);
            string kind = request["derivative"] is System.Text.Json.Nodes.JsonValue dv && dv.TryGetValue<string>(out var k) ? k : "";
            if (given >= HeavyEntries || kind is "hessian" or "jacobian" && given * given >= 100 * HeavyEntries) return true;
        }
        bool numeric = numericEndpoint || IsSet(request["check"]) || IsSet(request["convexity"]);
        return numeric && LargestDeclared(request) >= HeavyEntries;
    }

    /// <summary>How many numbers a JSON value holds (arrays of arrays counted through).</summary>
    private static long Numbers(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => o.Sum(kv => Numbers(kv.Value)),
        System.Text.Json.Nodes.JsonArray a => a.Sum(Numbers),
        null => 0,
        _ => 1,
    };

    private static bool IsSet(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonValue v && (!v.TryGetValue<bool>(out var b) || b);

    /// <summary>The entries of the largest declared variable: the product of the sizes in its type (vector(1000), matrix(3,4)).</summary>
    private static long LargestDeclared(System.Text.Json.Nodes.JsonObject request)
    {
        if (request["vars"] is not System.Text.Json.Nodes.JsonObject vars) return 1;
        long largest = 1;
        foreach (var (_, type) in vars)
        {
            if (type is not System.Text.Json.Nodes.JsonValue tv || !tv.TryGetValue<string>(out var t)) continue;
            var sizes = System.Text.RegularExpressions.Regex.Matches(t, "[0-9]+")
                .Select(m => long.TryParse(m.Value, out var size) ? Math.Max(size, 1) : long.MaxValue).ToList();
            // a square matrix given by one size (symmetric(1000), spd(50), matrix(20)) has size² entries
            if (sizes.Count == 1 && !t.TrimStart().StartsWith("vector", StringComparison.OrdinalIgnoreCase)) sizes.Add(sizes[0]);
            long entries = 1;
            foreach (var size in sizes) entries = size < long.MaxValue / entries ? entries * size : long.MaxValue;
            largest = Math.Max(largest, entries);
        }
        return largest;
    }
}
