using System.Runtime.ExceptionServices;

namespace Nabla.LinearAlgebra;

/// <summary>
/// A fixed team of background threads for the plans' parallel passes. Unlike <c>Parallel.For</c>, a call
/// allocates nothing, which keeps repeated plan evaluation allocation-free. One parallel call at a time:
/// a call made while the team is busy (another thread's plan, or a nested call) runs inline instead.
/// </summary>
internal sealed class WorkerTeam
{
    private static readonly Lazy<WorkerTeam> LazyShared = new(() => new WorkerTeam(Environment.ProcessorCount));

    private readonly SemaphoreSlim[] _go;
    private readonly CountdownEvent _done = new(1);
    private readonly object _gate = new();
    private Action<int>? _body;
    private Exception? _error;

    private WorkerTeam(int size)
    {
        Size = Math.Max(1, size);
        _go = new SemaphoreSlim[Size - 1];
        for (int w = 0; w < _go.Length; w++)
        {
            _go[w] = new SemaphoreSlim(0);
            int index = w + 1;
            var thread = new Thread(() => Work(index)) { IsBackground = true, Name = $"Nabla worker {index}" };
            thread.Start();
        }
    }

    /// <summary>The team of as many threads as processors (the calling thread is one of them).</summary>
    public static WorkerTeam Shared => LazyShared.Value;

    public int Size { get; }

    private void Work(int index)
    {
        var go = _go[index - 1];
        while (true)
        {
            go.Wait();
            try { _body!(index); }
            catch (Exception e) { _error ??= e; }
            finally { _done.Signal(); }
        }
    }

    /// <summary>Runs body(0) … body(count−1), in parallel where the team is free; returns when all are done.</summary>
    public void Run(int count, Action<int> body)
    {
        if (count <= 1 || Size == 1 || Monitor.IsEntered(_gate) || !Monitor.TryEnter(_gate))
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            int helpers = Math.Min(count, Size) - 1;
            _body = body;
            _error = null;
            _done.Reset(helpers);
            for (int w = 0; w < helpers; w++) _go[w].Release();
            try
            {
                body(0);
                for (int i = helpers + 1; i < count; i++) body(i);
            }
            finally { _done.Wait(); }
            _body = null;
            if (_error is { } e) ExceptionDispatchInfo.Throw(e);
        }
        finally { Monitor.Exit(_gate); }
    }
}
