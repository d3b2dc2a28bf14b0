using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class ObjectMetaValidator : AbstractValidator<ObjectMeta>
{
    public ObjectMetaValidator()
    {
        RuleFor(m => m.Name)
            .Must(KubernetesNames.IsDnsSubdomain)
            .OverridePropertyName("name")
            .WithMessage(m => $"name '{m.Name}' must be a DNS-1123 name: 1-253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit.");

        RuleFor(m => m.Namespace)
            .Must(KubernetesNames.IsDnsLabel)
            .OverridePropertyName("namespace")
            .WithMessage(m => $"namespace '{m.Namespace}' must be a DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit.");
    }
}
