namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// Body of <c>POST /sandbox/traffic/pushes</c>: send a push to <see cref="Recipients"/> users that opens
/// <see cref="Workload"/>, shaped by <see cref="Trace"/> (a trace with a <c>push</c> column; default
/// <see cref="DefaultTrace"/>).
/// </summary>
public sealed record PushCampaignRequest(string? Namespace, string? Workload, double? Recipients, string? Trace = null)
{
    public const string DefaultTrace = "push-30m-users";
    public const double MaxRecipients = 100_000_000;
    public const int MaxTraceName = 100;

    /// <summary>Field errors keyed by camelCase property name, as in a ValidationProblem; empty when valid.</summary>
    public Dictionary<string, string[]> Validate(Func<string, string, bool> serviceExists)
    {
        var errors = new Dictionary<string, string[]>();
        TrafficRequestTarget.Validate(errors, Namespace, Workload, serviceExists);

        if (Recipients is not { } r)
            errors["recipients"] = ["recipients is required (e.g. 1000000 for a push to 1M users)"];
        else if (!double.IsFinite(r) || r < 1 || r > MaxRecipients || r != Math.Floor(r))
            errors["recipients"] = [$"recipients must be a whole number from 1 to {MaxRecipients:0}; got {r}"];
        if (Trace is { Length: > MaxTraceName })
            errors["trace"] = [$"trace must be a trace name of at most {MaxTraceName} characters"];
        return errors;
    }
}
