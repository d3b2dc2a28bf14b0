using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class MetricSpecValidator : AbstractValidator<MetricSpec>
{
    public MetricSpecValidator()
    {
        RuleFor(m => m.Name)
            .Must(KubernetesNames.IsDnsLabel)
            .OverridePropertyName("name")
            .WithMessage(m => $"metric name '{m.Name}' must be a short lowercase label such as 'qps' (letters, digits, '-').");

        RuleFor(m => m.Query)
            .NotEmpty()
            .Must(q => q.Trim().Length > 0)
            .OverridePropertyName("query")
            .WithMessage("query must be a PromQL expression that yields one number, e.g. sum(rate(http_requests_total{app=\"api\"}[1m])).");
        RuleFor(m => m.Query)
            .MaximumLength(TextLimits.Query)
            .OverridePropertyName("query")
            .WithMessage(m => $"query must be at most {TextLimits.Query} characters (got {m.Query.Length}).");

        RuleFor(m => m.TargetType)
            .IsInEnum()
            .OverridePropertyName("targetType")
            .WithMessage(m => $"targetType '{m.TargetType}' is unknown; use PerReplica or Average.");

        RuleFor(m => m.Target)
            .Must(t => double.IsFinite(t) && t > 0)
            .OverridePropertyName("target")
            .WithMessage(m => $"target must be a number greater than 0 (got {m.Target}), e.g. 500 for 500 QPS per replica.");
    }
}
