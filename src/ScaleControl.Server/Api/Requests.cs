using FluentValidation;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Api;

public sealed record FreezeRequest(int DurationSeconds, string Reason);

/// <summary>
/// Hold a workload at <see cref="Replicas"/> (required: never read a missing value as 0). Outside the policy's
/// minReplicas..maxReplicas only with <see cref="AllowOutsideBounds"/>, and recorded as such.
/// </summary>
public sealed record PinRequest(int? Replicas, int DurationSeconds, string Reason, bool AllowOutsideBounds = false);

/// <summary><see cref="AllRows"/>: every pending row of the proposal's group card, as the card's "Approve all" (no <see cref="Replicas"/> then).</summary>
public sealed record ApproveRequest(int? Replicas, bool AllRows = false);

/// <summary><see cref="AllRows"/>: every pending row of the proposal's group card, as the card's "Reject all".</summary>
public sealed record RejectRequest(string? Reason, bool AllRows = false);

/// <summary>Take an applied change back; <see cref="Reason"/> is recorded on the undo.</summary>
public sealed record UndoRequest(string? Reason);

/// <param name="FromSeconds">How long the replayed window is, back from <paramref name="To"/>.</param>
/// <param name="ApprovalDelaySeconds">How long after it is made a proposal is taken as approved; null: the policy's escalation time.</param>
/// <param name="To">When the window ends (a past incident, or the same window replayed twice); null: now.</param>
public sealed record WhatIfRequest(int FromSeconds = 3600, int StepSeconds = 15, int? ApprovalDelaySeconds = null, DateTimeOffset? To = null);

/// <summary>The size limits every request string obeys (the whole body is capped by <see cref="RequestBodyLimit"/>).</summary>
public static class RequestLimits
{
    public const int Reason = 1000;
    public const string ReasonMessage = "reason must be at most 1000 characters.";
    public const string PlainTextMessage =
        "reason must be plain text: no control characters (other than tab and newline), no bidirectional overrides or marks, and no invisible characters (zero-width space, soft hyphen, line separator).";

    /// <summary>Text that ends up in logs, events and cards: no terminal escapes, NULs, Trojan-Source bidi controls or hidden characters.</summary>
    public static bool IsPlainText(string? text) => TextLimits.IsPlainInput(text);
}

public sealed class FreezeRequestValidator : AbstractValidator<FreezeRequest>
{
    public FreezeRequestValidator()
    {
        RuleFor(r => r.DurationSeconds).InclusiveBetween(1, 7 * 24 * 3600).WithMessage("durationSeconds must be between 1 and 604800 (7 days).");
        RuleFor(r => r.Reason).NotEmpty().WithMessage("reason is required: say why the policy is frozen.");
        RuleFor(r => r.Reason).MaximumLength(RequestLimits.Reason).WithMessage(RequestLimits.ReasonMessage)
            .Must(RequestLimits.IsPlainText).WithMessage(RequestLimits.PlainTextMessage);
    }
}

public sealed class PinRequestValidator : AbstractValidator<PinRequest>
{
    public PinRequestValidator()
    {
        RuleFor(r => r.Replicas).NotNull().WithMessage("replicas is required: the replica count to hold the workload at.");
        RuleFor(r => r.Replicas).InclusiveBetween(1, ScalePolicySpec.MaxReplicaCount).When(r => r.Replicas is not null)
            .WithMessage($"replicas must be between 1 and {ScalePolicySpec.MaxReplicaCount} (scaling to zero is not supported).");
        RuleFor(r => r.DurationSeconds).InclusiveBetween(1, 7 * 24 * 3600).WithMessage("durationSeconds must be between 1 and 604800 (7 days).");
        RuleFor(r => r.Reason).NotEmpty().WithMessage("reason is required: say why the replicas are pinned.");
        RuleFor(r => r.Reason).MaximumLength(RequestLimits.Reason).WithMessage(RequestLimits.ReasonMessage)
            .Must(RequestLimits.IsPlainText).WithMessage(RequestLimits.PlainTextMessage);
    }
}

public sealed class ApproveRequestValidator : AbstractValidator<ApproveRequest>
{
    private const string Both = "allRows and replicas cannot be combined: approve all rows at their targets, or one row with replicas.";

    public ApproveRequestValidator()
    {
        RuleFor(r => r.Replicas).InclusiveBetween(0, ScalePolicySpec.MaxReplicaCount).When(r => r.Replicas is not null)
            .WithMessage($"replicas must be between 0 and {ScalePolicySpec.MaxReplicaCount}.");
        // Each row has its own target; one count for them all means nothing. Named under both fields.
        RuleFor(r => r.Replicas).Null().When(r => r.AllRows).WithMessage(Both);
        RuleFor(r => r.AllRows).Equal(false).When(r => r.Replicas is not null).WithMessage(Both);
    }
}

public sealed class RejectRequestValidator : AbstractValidator<RejectRequest>
{
    public RejectRequestValidator() =>
        RuleFor(r => r.Reason).MaximumLength(RequestLimits.Reason).WithMessage(RequestLimits.ReasonMessage)
            .Must(RequestLimits.IsPlainText).WithMessage(RequestLimits.PlainTextMessage);
}

public sealed class UndoRequestValidator : AbstractValidator<UndoRequest>
{
    public UndoRequestValidator() =>
        RuleFor(r => r.Reason).MaximumLength(RequestLimits.Reason).WithMessage(RequestLimits.ReasonMessage)
            .Must(RequestLimits.IsPlainText).WithMessage(RequestLimits.PlainTextMessage);
}

public sealed class WhatIfRequestValidator : AbstractValidator<WhatIfRequest>
{
    /// <summary>How far a window's end may lie ahead of the server's clock: a client's clock a little ahead is not an error.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public WhatIfRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.To).Must(to => to <= time.GetUtcNow() + ClockSkew && to >= time.GetUtcNow().AddDays(-7)).When(r => r.To is not null)
            .WithMessage(r => $"to must lie within the last 7 days and not in the future (the server's time is {time.GetUtcNow():u}).");
        RuleFor(r => r.FromSeconds).InclusiveBetween(60, 7 * 24 * 3600).WithMessage("fromSeconds must be between 60 and 604800.");
        RuleFor(r => r.StepSeconds).InclusiveBetween(1, 3600).WithMessage("stepSeconds must be between 1 and 3600.");
        RuleFor(r => r).Must(r => r.StepSeconds <= 0 || r.FromSeconds / r.StepSeconds <= 11_000)
            .OverridePropertyName("stepSeconds").WithMessage("at most 11000 steps: raise stepSeconds or lower fromSeconds.");
        RuleFor(r => r.ApprovalDelaySeconds).InclusiveBetween(0, 24 * 3600).When(r => r.ApprovalDelaySeconds is not null)
            .WithMessage("approvalDelaySeconds must be between 0 and 86400 (a day).");
    }
}

public sealed class PrepareRequestValidator : AbstractValidator<PrepareRequest>
{
    public PrepareRequestValidator()
    {
        RuleFor(r => r.At).NotEqual(default(DateTimeOffset)).WithMessage("at is required: when the traffic is expected (RFC 3339, e.g. 2026-12-04T20:00:00+08:00).");
        RuleFor(r => r.DurationSeconds).InclusiveBetween(1, 7 * 24 * 3600).WithMessage("durationSeconds must be between 1 and 604800 (7 days).");
        RuleFor(r => r.Reason).Must(r => r is { Length: <= 1000 } && r.Trim().Length > 0).WithMessage("reason is required (at most 1000 characters): say what is expected.")
            .Must(RequestLimits.IsPlainText).WithMessage(RequestLimits.PlainTextMessage);
        RuleFor(r => r).Must(r => (r.Multiplier is null) != (r.Replicas is null))
            .OverridePropertyName("multiplier").WithMessage("give exactly one of multiplier (expected traffic, e.g. 3 for 3x) and replicas.");
        RuleFor(r => r.Multiplier).Must(m => m is { } v && double.IsFinite(v) && v > 0 && v <= 100).When(r => r.Multiplier is not null)
            .WithMessage("multiplier must be greater than 0 and at most 100.");
        RuleFor(r => r.Replicas).InclusiveBetween(1, ScalePolicySpec.MaxReplicaCount).When(r => r.Replicas is not null)
            .WithMessage($"replicas must be between 1 and {ScalePolicySpec.MaxReplicaCount}.");
        RuleFor(r => r.LeadSeconds).InclusiveBetween(0, 24 * 3600).When(r => r.LeadSeconds is not null).WithMessage("leadSeconds must be between 0 and 86400 (1 day).");
        RuleFor(r => r.Name).Must(KubernetesNames.IsDnsLabel).When(r => r.Name is not null)
            .WithMessage(r => $"name '{r.Name}' must be a short lowercase label such as 'push-2000'.");
    }
}
