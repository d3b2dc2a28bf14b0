namespace ScaleControl.Sandbox.Traffic;

/// <summary>Body of <c>POST /sandbox/traffic/hot-events</c>.</summary>
public sealed record HotEventRequest(
    string? Namespace,
    string? Workload,
    double? Multiplier,
    int? RampSeconds = null,
    int? HoldSeconds = null,
    int? DecaySeconds = null)
{
    public const double MinMultiplier = 1.1;
    public const double MaxMultiplier = 20;
    public const int MaxPhaseSeconds = 6 * 3600;
    public const int DefaultRamp = 60;
    public const int DefaultHold = 300;
    public const int DefaultDecay = 120;

    /// <summary>Field errors keyed by camelCase property name, as in a ValidationProblem; empty when valid.</summary>
    public Dictionary<string, string[]> Validate(Func<string, string, bool> serviceExists)
    {
        var errors = new Dictionary<string, string[]>();
        TrafficRequestTarget.Validate(errors, Namespace, Workload, serviceExists);

        if (Multiplier is not { } m)
            errors["multiplier"] = ["multiplier is required (e.g. 4 for 4x the baseline)"];
        else if (!double.IsFinite(m) || m < MinMultiplier || m > MaxMultiplier)
            errors["multiplier"] = [$"multiplier must be between {MinMultiplier} and {MaxMultiplier}; got {m}"];

        CheckPhase(errors, "rampSeconds", RampSeconds);
        CheckPhase(errors, "holdSeconds", HoldSeconds);
        CheckPhase(errors, "decaySeconds", DecaySeconds);
        if (errors.Count == 0 && RampSeconds.GetValueOrDefault(DefaultRamp) + HoldSeconds.GetValueOrDefault(DefaultHold) + DecaySeconds.GetValueOrDefault(DefaultDecay) == 0)
            errors["holdSeconds"] = ["the event must last at least one second"];
        return errors;
    }

    private static void CheckPhase(Dictionary<string, string[]> errors, string name, int? seconds)
    {
        if (seconds is < 0 or > MaxPhaseSeconds)
            errors[name] = [$"{name} must be between 0 and {MaxPhaseSeconds}; got {seconds}"];
    }
}
