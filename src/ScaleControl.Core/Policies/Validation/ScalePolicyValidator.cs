using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

/// <summary>
/// Validates a whole ScalePolicy. Every failure carries the camelCase JSON path of the field
/// (e.g. <c>spec.metrics[0].query</c>) and a message that says what to change.
/// </summary>
public sealed class ScalePolicyValidator : AbstractValidator<ScalePolicy>
{
    public ScalePolicyValidator()
    {
        RuleFor(p => p.ApiVersion)
            .Equal(ScalePolicy.ApiVersionValue)
            .OverridePropertyName("apiVersion")
            .WithMessage(p => $"apiVersion must be '{ScalePolicy.ApiVersionValue}', not '{p.ApiVersion}'.");

        RuleFor(p => p.Kind)
            .Equal(ScalePolicy.KindValue)
            .OverridePropertyName("kind")
            .WithMessage(p => $"kind must be '{ScalePolicy.KindValue}', not '{p.Kind}'.");

        RuleFor(p => p.Metadata).NotNull().SetValidator(new ObjectMetaValidator()).OverridePropertyName("metadata");
        RuleFor(p => p.Spec).NotNull().SetValidator(new ScalePolicySpecValidator()).OverridePropertyName("spec");
        RuleFor(p => p.Spec.Follow!.Workload)
            .Must((p, _) => !FollowGraph.FollowsItself(p))
            .When(p => p.Spec?.Follow is not null)
            .OverridePropertyName("spec.follow.workload")
            .WithMessage(p => $"a policy cannot follow its own workload ({p.Metadata.Namespace}/{p.Spec.Target.Name}); follow another workload or use metrics.");
    }
}
