using FluentValidation;
using ScaleControl.Core.Decisions;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class LeadingSignalSpecValidator : AbstractValidator<LeadingSignalSpec>
{
    public const int MaxQueryLength = 4096;

    public LeadingSignalSpecValidator(IReadOnlyList<MetricSpec> metrics)
    {
        RuleFor(l => l.Name)
            .Must(KubernetesNames.IsDnsLabel)
            .OverridePropertyName("name")
            .WithMessage(l => $"leadingSignal.name '{l.Name}' must be a short lowercase label such as 'push'.");

        RuleFor(l => l.Query)
            .Must(q => q.Trim().Length > 0 && q.Length <= MaxQueryLength)
            .OverridePropertyName("query")
            .WithMessage($"leadingSignal.query must be a PromQL expression that yields one number (at most {MaxQueryLength} characters), e.g. sum(rate(push_sent_total[1m])).");

        RuleFor(l => l.Metric)
            .Must(name => metrics.Any(m => m.Name == name && m.TargetType == MetricTargetType.PerReplica))
            .When(l => l.Metric is not null)
            .OverridePropertyName("metric")
            .WithMessage(l => $"leadingSignal.metric '{l.Metric}' must name one of the policy's PerReplica metrics ({Names(metrics)}).");
        RuleFor(l => l.Metric)
            .Must(_ => metrics.Any(m => m.TargetType == MetricTargetType.PerReplica))
            .When(l => l.Metric is null && metrics.Count > 0)
            .OverridePropertyName("metric")
            .WithMessage("a leading signal converts into a PerReplica metric (a total such as QPS), and the policy has none.");

        RuleFor(l => l.RequestsPerUnit)
            .Must(r => double.IsFinite(r) && r > 0 && r <= 1e9)
            .OverridePropertyName("requestsPerUnit")
            .WithMessage(l => $"leadingSignal.requestsPerUnit must be greater than 0 and at most 1e9 (got {l.RequestsPerUnit}): the metric's units expected per unit of the signal.");

        RuleFor(l => l.LeadSeconds)
            .InclusiveBetween(0, 3600)
            .OverridePropertyName("leadSeconds")
            .WithMessage(l => $"leadSeconds must be from 0 to 3600 (got {l.LeadSeconds}): how long after the signal the traffic arrives.");

        RuleFor(l => l.HoldSeconds)
            .InclusiveBetween(0, 24 * 3600)
            .OverridePropertyName("holdSeconds")
            .WithMessage(l => $"holdSeconds must be from 0 to 86400 (got {l.HoldSeconds}): how long the traffic the signal announces lasts.");

        RuleFor(l => l.Headroom)
            .Must(h => double.IsFinite(h) && h is >= 0 and <= 1)
            .OverridePropertyName("headroom")
            .WithMessage(l => $"leadingSignal.headroom must be a fraction from 0 to 1, e.g. 0.1 for 10% (got {l.Headroom}).");
    }

    private static string Names(IReadOnlyList<MetricSpec> metrics) =>
        string.Join(", ", metrics.Where(m => m.TargetType == MetricTargetType.PerReplica).Select(m => m.Name).DefaultIfEmpty("none"));
}

internal sealed class ExpectedEventSpecValidator : AbstractValidator<ExpectedEventSpec>
{
    public const int MaxReasonLength = 1000;
    public const int MaxDurationSeconds = 7 * 24 * 3600;
    public const int MaxLeadSeconds = 24 * 3600;

    public ExpectedEventSpecValidator()
    {
        RuleFor(e => e.Name)
            .Must(KubernetesNames.IsDnsLabel)
            .OverridePropertyName("name")
            .WithMessage(e => $"expected event name '{e.Name}' must be a short lowercase label such as 'push-2000'.");
        RuleFor(e => e.At)
            .NotEqual(default(DateTimeOffset))
            .OverridePropertyName("at")
            .WithMessage("at is required: when the traffic is expected.");
        RuleFor(e => e.DurationSeconds)
            .InclusiveBetween(1, MaxDurationSeconds)
            .OverridePropertyName("durationSeconds")
            .WithMessage(e => $"durationSeconds must be from 1 to {MaxDurationSeconds} (7 days) (got {e.DurationSeconds}).");
        RuleFor(e => e.LeadSeconds)
            .InclusiveBetween(0, MaxLeadSeconds)
            .OverridePropertyName("leadSeconds")
            .WithMessage(e => $"leadSeconds must be from 0 to {MaxLeadSeconds} (got {e.LeadSeconds}).");
        // Not bounded by the policy's maxReplicas: the floor is capped by it when it counts (ExpectedEventFloor), so an
        // admin lowering maxReplicas in a storm is not refused over an operator's event (one ended days ago too), and a
        // kubectl edit doing so does not make the whole policy invalid (the loop would stop acting on it).
        RuleFor(e => e.Replicas)
            .InclusiveBetween(1, ScalePolicySpec.MaxReplicaCount)
            .OverridePropertyName("replicas")
            .WithMessage(e => $"replicas must be from 1 to {ScalePolicySpec.MaxReplicaCount} (got {e.Replicas}).");
        RuleFor(e => e.Multiplier)
            .Must(m => m is { } v && double.IsFinite(v) && v > 0 && v <= 100)
            .When(e => e.Multiplier is not null)
            .OverridePropertyName("multiplier")
            .WithMessage(e => $"multiplier must be greater than 0 and at most 100 (got {e.Multiplier}).");
        RuleFor(e => e.BaseSource)
            .Must(s => s!.Length <= ExpectedEventBaseline.MaxSourceLength && TextLimits.IsPlainText(s))
            .When(e => e.BaseSource is not null)
            .OverridePropertyName("baseSource")
            .WithMessage($"baseSource must be plain text of at most {ExpectedEventBaseline.MaxSourceLength} characters.");
        RuleFor(e => e.Reason)
            .Must(r => r.Trim().Length > 0 && r.Length <= MaxReasonLength)
            .OverridePropertyName("reason")
            .WithMessage($"reason is required (at most {MaxReasonLength} characters): say what is expected, e.g. \"push to 30M users\".")
            .Must(TextLimits.IsPlainText)
            .WithMessage("reason must be plain text: no control characters (other than tab and newline) and no bidirectional overrides.");
    }
}
