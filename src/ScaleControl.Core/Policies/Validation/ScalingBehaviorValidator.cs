using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class ScalingBehaviorValidator : AbstractValidator<ScalingBehavior>
{
    public ScalingBehaviorValidator()
    {
        RuleFor(b => b.ScaleUp).NotNull().SetValidator(new DirectionBehaviorValidator()).OverridePropertyName("scaleUp");
        RuleFor(b => b.ScaleDown).NotNull().SetValidator(new DirectionBehaviorValidator()).OverridePropertyName("scaleDown");
        RuleFor(b => b.ChangeBudget)
            .InclusiveBetween(0, 100)
            .OverridePropertyName("changeBudget")
            .WithMessage(b => $"changeBudget must be from 0 (off) to 100 changes per 10 minutes (got {b.ChangeBudget}).");
    }
}

internal sealed class DirectionBehaviorValidator : AbstractValidator<DirectionBehavior>
{
    // The same bounds the HPA's behavior API enforces.
    private const int MaxPeriodSeconds = 1800;
    private const int MaxStabilizationSeconds = 3600;
    private const int MaxCooldownSeconds = 86_400;

    public DirectionBehaviorValidator()
    {
        RuleFor(b => b.MaxStep!).SetValidator(new StepLimitValidator()).When(b => b.MaxStep is not null).OverridePropertyName("maxStep");

        RuleFor(b => b.PeriodSeconds)
            .InclusiveBetween(1, MaxPeriodSeconds)
            .OverridePropertyName("periodSeconds")
            .WithMessage(b => $"periodSeconds must be from 1 to {MaxPeriodSeconds} (got {b.PeriodSeconds}).");

        RuleFor(b => b.StabilizationWindowSeconds)
            .InclusiveBetween(0, MaxStabilizationSeconds)
            .OverridePropertyName("stabilizationWindowSeconds")
            .WithMessage(b => $"stabilizationWindowSeconds must be from 0 to {MaxStabilizationSeconds} (got {b.StabilizationWindowSeconds}).");

        RuleFor(b => b.Tolerance)
            .Must(t => t is >= 0 and < 1)
            .When(b => b.Tolerance is not null)
            .OverridePropertyName("tolerance")
            .WithMessage(b => $"tolerance must be a fraction from 0 up to (not including) 1 (got {b.Tolerance}).");

        // A day at most, as the reject back-off: a longer cooldown stops the policy scaling that way after any change.
        RuleFor(b => b.CooldownSeconds)
            .InclusiveBetween(0, MaxCooldownSeconds)
            .OverridePropertyName("cooldownSeconds")
            .WithMessage(b => $"cooldownSeconds must be from 0 to {MaxCooldownSeconds} (one day) (got {b.CooldownSeconds}).");
    }
}
