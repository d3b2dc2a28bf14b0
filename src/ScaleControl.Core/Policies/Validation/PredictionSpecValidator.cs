using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class PredictionSpecValidator : AbstractValidator<PredictionSpec>
{
    private const int MaxLookAheadSeconds = 3600;

    public PredictionSpecValidator()
    {
        RuleFor(p => p.LookAheadSeconds)
            .InclusiveBetween(1, MaxLookAheadSeconds)
            .When(p => p.LookAheadSeconds is not null)
            .OverridePropertyName("lookAheadSeconds")
            .WithMessage(p => $"lookAheadSeconds must be from 1 to {MaxLookAheadSeconds} (got {p.LookAheadSeconds}); leave it out to use the observed pod start-up time.");

        RuleFor(p => p.LookBackSeconds)
            .InclusiveBetween(10, 3600)
            .OverridePropertyName("lookBackSeconds")
            .WithMessage(p => $"lookBackSeconds must be from 10 to 3600 (got {p.LookBackSeconds}): the trend needs several samples.");

        RuleFor(p => p.MaxGrowthFactor)
            .Must(f => double.IsFinite(f) && f is >= 1 and <= PredictionSpec.MaxGrowthFactorLimit)
            .OverridePropertyName("maxGrowthFactor")
            .WithMessage(p => $"maxGrowthFactor must be from 1 to {PredictionSpec.MaxGrowthFactorLimit} (got {p.MaxGrowthFactor}); it bounds predicted / current value.");
    }
}
