using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class StepLimitValidator : AbstractValidator<StepLimit>
{
    public StepLimitValidator()
    {
        RuleFor(s => s)
            .Must(s => s.Pods is not null || s.Percent is not null)
            .OverridePropertyName("pods")
            .WithMessage("a step limit needs pods and/or percent (the larger applies).");

        RuleFor(s => s.Pods)
            .GreaterThan(0)
            .When(s => s.Pods is not null)
            .OverridePropertyName("pods")
            .WithMessage(s => $"pods must be at least 1 (got {s.Pods}); a step of 0 would block scaling.");
        RuleFor(s => s.Pods)
            .LessThanOrEqualTo(ScalePolicySpec.MaxReplicaCount)
            .When(s => s.Pods is not null)
            .OverridePropertyName("pods")
            .WithMessage(s => $"pods must be at most {ScalePolicySpec.MaxReplicaCount}, the most replicas a policy holds (got {s.Pods}); leave maxStep out for no limit.");

        RuleFor(s => s.Percent)
            .Must(p => p is { } v && double.IsFinite(v) && v > 0)
            .When(s => s.Percent is not null)
            .OverridePropertyName("percent")
            .WithMessage(s => $"percent must be greater than 0 (got {s.Percent}); a step of 0 would block scaling.");
        RuleFor(s => s.Percent)
            .Must(p => p <= StepLimit.MaxPercent)
            .When(s => s.Percent is { } v && double.IsFinite(v) && v > 0)
            .OverridePropertyName("percent")
            .WithMessage(s => $"percent must be at most {StepLimit.MaxPercent} (100x in one period) (got {s.Percent}); leave maxStep out for no limit.");
    }
}
