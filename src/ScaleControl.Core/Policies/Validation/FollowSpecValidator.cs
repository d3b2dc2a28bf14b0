using System.Globalization;
using FluentValidation;
using ScaleControl.Core.Text;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class FollowSpecValidator : AbstractValidator<FollowSpec>
{
    public FollowSpecValidator()
    {
        RuleFor(f => f.Workload)
            .Must(IsWorkloadName)
            .OverridePropertyName("workload")
            .WithMessage(f => f.Workload.Length == 0
                ? "follow.workload is required: the workload to follow, as namespace/name (e.g. feed/feed-service)."
                : $"follow.workload '{Shown(f.Workload)}' must be namespace/name or name, each a valid Kubernetes name.");

        RuleFor(f => f.Kind)
            .Must(k => k is TargetRef.DeploymentKind or TargetRef.StatefulSetKind)
            .OverridePropertyName("kind")
            .WithMessage(f => $"follow.kind '{Shown(f.Kind)}' is unknown; use {TargetRef.DeploymentKind} or {TargetRef.StatefulSetKind}.");

        RuleFor(f => f.Ratio)
            .Must(r => double.IsFinite(r) && r is >= FollowSpec.MinRatio and <= FollowSpec.MaxRatio)
            .OverridePropertyName("ratio")
            .WithMessage(f => string.Create(CultureInfo.InvariantCulture,
                $"follow.ratio must be from {FollowSpec.MinRatio} to {FollowSpec.MaxRatio} replicas per replica of the leader (got {f.Ratio})."));
    }

    private static bool IsWorkloadName(string value)
    {
        if (value.Length > 253 + 64)
        {
            return false;
        }

        var parts = value.Split('/');
        return parts.Length switch
        {
            1 => KubernetesNames.IsDnsSubdomain(parts[0]),
            2 => KubernetesNames.IsDnsLabel(parts[0]) && KubernetesNames.IsDnsSubdomain(parts[1]),
            _ => false,
        };
    }

    private static string Shown(string value) => ShownText.Cut(value, 80);
}
