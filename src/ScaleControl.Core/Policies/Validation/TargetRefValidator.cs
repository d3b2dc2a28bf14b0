using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class TargetRefValidator : AbstractValidator<TargetRef>
{
    public TargetRefValidator()
    {
        RuleFor(t => t.Kind)
            .Must(k => k is TargetRef.DeploymentKind or TargetRef.StatefulSetKind)
            .OverridePropertyName("kind")
            .WithMessage(t => $"target.kind '{t.Kind}' is unknown; use {TargetRef.DeploymentKind} or {TargetRef.StatefulSetKind}.");

        RuleFor(t => t.Name)
            .Must(KubernetesNames.IsDnsSubdomain)
            .OverridePropertyName("name")
            .WithMessage(t => t.Name.Length == 0
                ? "target.name is required: the Deployment or StatefulSet to scale."
                : $"target.name '{t.Name}' is not a valid Kubernetes object name (DNS-1123).");
    }
}
