using System.Collections.Concurrent;
using FluentValidation;
using ScaleControl.Core.Policies;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// The API validates a policy before it stores it, but whoever may edit ScalePolicies can write one with kubectl that
/// the API would refuse: minReplicas above maxReplicas, a metric target of 0 (the engine then asked for
/// 2,147,483,647 replicas and the loop scaled towards maxReplicas), or one it cannot read at all (a number beyond int32
/// under an old CRD: <see cref="ScalePolicy.Unreadable"/>). The loop does not act on such a policy: it fails
/// static (no scaling, no proposals) and its status says which fields are wrong until the spec is fixed. A verdict is
/// kept per resourceVersion, so each change is validated once, not every tick.
/// </summary>
public sealed partial class PolicyValidity(IValidator<ScalePolicy> validator, ILogger<PolicyValidity> logger)
{
    public const string ConditionType = "Invalid";

    private readonly ConcurrentDictionary<string, (string? Version, string? Problem)> _verdicts = new(StringComparer.Ordinal);

    /// <returns>Null when the policy is valid; otherwise the status line naming each invalid field.</returns>
    public string? ProblemOf(ScalePolicy policy)
    {
        var version = policy.Metadata.ResourceVersion;
        if (version is not null && _verdicts.TryGetValue(policy.Key, out var known) && known.Version == version)
        {
            return known.Problem;
        }

        var problem = policy.UnreadableProblem() is { } unreadable
            ? $"{unreadable}, so ScaleControl does not act on it until it is fixed (kubectl edit)"
            : Invalid(validator.Validate(policy));
        if (problem is not null && _verdicts.GetValueOrDefault(policy.Key).Problem != problem)
        {
            LogInvalid(logger, policy.Key, problem);
        }

        _verdicts[policy.Key] = (version, problem);
        return problem;
    }

    private static string? Invalid(FluentValidation.Results.ValidationResult result) =>
        result.IsValid
            ? null
            : "the policy is invalid, so ScaleControl does not act on it until it is fixed (scalectl policy validate): "
              + string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}"));

    /// <summary>Forgets the verdicts of policies that no longer exist.</summary>
    public void Retain(IReadOnlyDictionary<string, ScalePolicy> live)
    {
        foreach (var key in _verdicts.Keys)
        {
            if (!live.ContainsKey(key))
            {
                _verdicts.TryRemove(key, out _);
            }
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "ScalePolicy {Policy} is not evaluated: {Problem}")]
    private static partial void LogInvalid(ILogger logger, string policy, string problem);
}
