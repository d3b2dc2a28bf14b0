namespace ScaleControl.Sandbox.Kubernetes.Control;

/// <summary>
/// A fault the sandbox API injects into matching requests (test hook, not part of the Kubernetes API).
/// Every set matcher must match; <see cref="Times"/> limits how many requests it hits (null: until removed).
/// </summary>
public sealed record SandboxFault
{
    /// <summary>HTTP method, e.g. <c>PATCH</c>.</summary>
    public string? Method { get; init; }

    /// <summary>Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.</summary>
    public string? Verb { get; init; }

    /// <summary>RBAC resource incl. subresource, e.g. <c>deployments/scale</c>.</summary>
    public string? Resource { get; init; }

    public string? PathContains { get; init; }

    /// <summary>Only requests whose User-Agent contains this, e.g. <c>scalecontrol/replica-a</c> (one replica cut off from the API).</summary>
    public string? UserAgentContains { get; init; }

    public int? Times { get; init; }

    /// <summary>Delay before the request is served (or failed).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Answer with this status (409, 410, 429, 500, 503, 504…) and a Kubernetes Status body instead of serving.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// Serve the request first, then throw its answer away and answer <see cref="StatusCode"/> (or, with
    /// <see cref="Latency"/> alone, hang after serving): a write that was applied but whose answer the client never got.
    /// </summary>
    public bool AfterServing { get; init; }

    /// <summary>Retry-After sent with a 429.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    public static SandboxFault Throttle(TimeSpan retryAfter, int? times = null) => new() { StatusCode = 429, RetryAfter = retryAfter, Times = times };

    public static SandboxFault ServerError(int statusCode = 500, int? times = null) => new() { StatusCode = statusCode, Times = times };

    /// <summary>The request is applied, but the client gets <paramref name="statusCode"/> (a lost answer).</summary>
    public static SandboxFault LostAnswer(int statusCode = 500, int? times = null) => new() { StatusCode = statusCode, Times = times, AfterServing = true };

    public static SandboxFault Slow(TimeSpan latency, int? times = null) => new() { Latency = latency, Times = times };
}
