using System.Diagnostics;

namespace Nabla.Diagnostics;

/// <summary>
/// A cooperative time budget for one piece of work on one thread: the symbolic stages call
/// <see cref="Check"/> as they go, and past the deadline it throws <c>limit_exceeded</c>, so a runaway
/// derivation stops instead of running on. Scopes nest; the earliest deadline wins.
/// </summary>
public static class Budget
{
    [ThreadStatic] private static long _deadline;   // Stopwatch ticks; 0 = no budget
    [ThreadStatic] private static double _seconds;
    [ThreadStatic] private static int _counter;

    /// <summary>Starts a budget for the current thread; dispose the scope to restore the previous one.</summary>
    public static Scope Start(TimeSpan limit)
    {
        var scope = new Scope(_deadline, _seconds);
        long deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        if (_deadline == 0 || deadline < _deadline)
        {
            _deadline = deadline;
            _seconds = limit.TotalSeconds;
        }
        return scope;
    }

    /// <summary>Throws <c>limit_exceeded</c> if the current budget has run out (cheap: the clock is read every 256 calls).</summary>
    public static void Check()
    {
        if (_deadline == 0 || (++_counter & 255) != 0) return;
        if (Stopwatch.GetTimestamp() > _deadline)
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"the work took longer than the time limit of {_seconds:0.###} s; simplify the expression or split it");
    }

    /// <summary>
    /// Throws <c>limit_exceeded</c> if the current budget has run out, reading the clock every time (about 20 ns): for
    /// steps that are expensive themselves (a numeric evaluation, a matrix product), where 256 of them can take minutes.
    /// </summary>
    public static void CheckNow()
    {
        if (_deadline == 0) return;
        if (Stopwatch.GetTimestamp() > _deadline)
            throw new NablaException(ErrorCodes.LimitExceeded,
                $"the work took longer than the time limit of {_seconds:0.###} s; simplify the expression or split it");
    }

    /// <summary>A started budget; disposing it restores the budget that was in force before.</summary>
    /// <param name="previous">The previous deadline, in stopwatch ticks (0 for none).</param>
    /// <param name="previousSeconds">The previous limit, in seconds, for messages.</param>
    public readonly struct Scope(long previous, double previousSeconds) : IDisposable
    {
        /// <summary>Restores the previous budget.</summary>
        public void Dispose()
        {
            _deadline = previous;
            _seconds = previousSeconds;
        }
    }
}
