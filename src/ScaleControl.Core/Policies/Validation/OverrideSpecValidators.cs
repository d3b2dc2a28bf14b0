using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class FreezeSpecValidator : AbstractValidator<FreezeSpec>
{
    public FreezeSpecValidator()
    {
        RuleFor(f => f.Until)
            .NotEqual(default(DateTimeOffset))
            .OverridePropertyName("until")
            .WithMessage("freeze.until is required: every freeze expires.");
        RuleFor(f => f.Reason)
            .NotEmpty()
            .OverridePropertyName("reason")
            .WithMessage("freeze.reason is required: say why scaling is paused.");
        RuleFor(f => f.Reason)
            .MaximumLength(TextLimits.Reason)
            .OverridePropertyName("reason")
            .WithMessage($"freeze.reason must be at most {TextLimits.Reason} characters.")
            .Must(TextLimits.IsPlainText)
            .WithMessage("freeze.reason must be plain text: no control characters (other than tab and newline) and no bidirectional overrides.");
    }
}

internal sealed class PinSpecValidator : AbstractValidator<PinSpec>
{
    public PinSpecValidator()
    {
        RuleFor(p => p.Replicas)
            .GreaterThanOrEqualTo(1)
            .OverridePropertyName("replicas")
            .WithMessage(p => $"pin.replicas must be at least 1 (got {p.Replicas}).");
        RuleFor(p => p.Replicas)
            .LessThanOrEqualTo(ScalePolicySpec.MaxReplicaCount)
            .OverridePropertyName("replicas")
            .WithMessage(p => $"pin.replicas must be at most {ScalePolicySpec.MaxReplicaCount} (got {p.Replicas}).");
        RuleFor(p => p.Until)
            .NotEqual(default(DateTimeOffset))
            .OverridePropertyName("until")
            .WithMessage("pin.until is required: every pin expires.");
        RuleFor(p => p.Reason)
            .NotEmpty()
            .OverridePropertyName("reason")
            .WithMessage("pin.reason is required: say why the replicas are pinned.");
        RuleFor(p => p.Reason)
            .MaximumLength(TextLimits.Reason)
            .OverridePropertyName("reason")
            .WithMessage($"pin.reason must be at most {TextLimits.Reason} characters.")
            .Must(TextLimits.IsPlainText)
            .WithMessage("pin.reason must be plain text: no control characters (other than tab and newline) and no bidirectional overrides.");
    }
}
