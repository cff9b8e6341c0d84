using System.Text.Json.Nodes;

namespace Nabla.Web;

/// <summary>The limits that keep the server answering under hostile or heavy use.</summary>
public sealed record WebOptions
{
    /// <summary>Largest accepted request body, in bytes; bigger bodies get 413.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Each derivation's time budget; past it the answer is <c>limit_exceeded</c> and the work is abandoned.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Derivations running at once (abandoned ones count until they really end).</summary>
    public int MaxConcurrent { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Requests waiting for a worker; beyond this the answer is 503 at once.</summary>
    public int MaxQueued { get; init; } = 512;

    /// <summary>How long a request may wait for a worker before it gets 503.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The protocol handler; tests replace it to simulate slow work.</summary>
    internal Func<JsonObject, JsonObject> Derive { get; init; } = Nabla.Protocol.RequestHandler.Handle;

    /// <summary>The page's numeric check; tests replace it to simulate slow work.</summary>
    internal Func<JsonObject, JsonObject> Check { get; init; } = PageHelpers.CheckNumerically;
}
