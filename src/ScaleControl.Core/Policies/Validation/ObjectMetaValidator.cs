using FluentValidation;
using ScaleControl.Core.Text;

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

        // As the API server checks them: its refusal of a write came back as a 500, after the checks had passed.
        RuleFor(m => m).Custom((meta, context) =>
        {
            foreach (var label in meta.Labels ?? new Dictionary<string, string>())
            {
                if (!KubernetesNames.IsQualifiedName(label.Key))
                {
                    context.AddFailure($"labels[{Shown(label.Key)}]", $"label key '{Shown(label.Key)}' {KeyRule}");
                }
                else if (!KubernetesNames.IsLabelValue(label.Value))
                {
                    context.AddFailure($"labels[{label.Key}]", $"label value '{Shown(label.Value ?? "null")}' must be empty or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.");
                }
            }

            foreach (var annotation in meta.Annotations ?? new Dictionary<string, string>())
            {
                if (!KubernetesNames.IsQualifiedName(annotation.Key))
                {
                    context.AddFailure($"annotations[{Shown(annotation.Key)}]", $"annotation key '{Shown(annotation.Key)}' {KeyRule}");
                }
                else if (annotation.Value is null)
                {
                    context.AddFailure($"annotations[{annotation.Key}]", "an annotation's value must be a string, not null.");
                }
            }
        });

        RuleFor(m => m.Annotations)
            .Must(a => a is null || a.Sum(kv => kv.Key.Length + (kv.Value?.Length ?? 0)) <= MaxAnnotationsSize)
            .OverridePropertyName("annotations")
            .WithMessage($"annotations may hold at most {MaxAnnotationsSize / 1024} KiB in all, as the Kubernetes API server allows.");
    }

    /// <summary>The API server's limit on the total size of an object's annotations.</summary>
    private const int MaxAnnotationsSize = 256 * 1024;

    private const string KeyRule = "must be a name of at most 63 letters, digits, '-', '_' or '.' (starting and ending with a letter or digit), with an optional DNS-subdomain prefix and '/'.";

    private static string Shown(string text) => ShownText.Cut(text, 40);
}
