using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class ScheduleSpecValidator : AbstractValidator<ScheduleSpec>
{
    public ScheduleSpecValidator(int maxReplicas)
    {
        RuleFor(s => s.Name)
            .Must(KubernetesNames.IsDnsLabel)
            .OverridePropertyName("name")
            .WithMessage(s => $"schedule name '{s.Name}' must be a short lowercase label such as 'evening-peak'.");

        RuleFor(s => s)
            .Must(s => (s.Cron is not null) != (s.Start is not null || s.End is not null))
            .OverridePropertyName("cron")
            .WithMessage("a schedule is either recurring (cron + durationSeconds) or one-shot (start + end), not both and not neither.");

        When(s => s.Cron is not null, () =>
        {
            RuleFor(s => s.Cron)
                .Must(c => ScheduleCalendar.TryParseCron(c, out _))
                .OverridePropertyName("cron")
                .WithMessage(s => $"cron '{s.Cron}' is not a valid cron expression (5 fields 'min hour day month weekday', or 6 with seconds first).");
            RuleFor(s => s.DurationSeconds)
                .NotNull()
                .GreaterThan(0)
                .OverridePropertyName("durationSeconds")
                .WithMessage(s => $"durationSeconds must be greater than 0 for a cron schedule (got {s.DurationSeconds?.ToString() ?? "nothing"}): it says how long the floor holds.");
            RuleFor(s => s.TimeZone)
                .Must(z => ScheduleCalendar.TryFindTimeZone(z, out _))
                .OverridePropertyName("timeZone")
                .WithMessage(s => $"timeZone '{s.TimeZone}' is unknown; use an IANA id such as Asia/Shanghai.");
        });

        When(s => s.Cron is null && (s.Start is not null || s.End is not null), () =>
        {
            RuleFor(s => s.Start).NotNull().OverridePropertyName("start").WithMessage("start is required for a one-shot schedule.");
            RuleFor(s => s.End).NotNull().OverridePropertyName("end").WithMessage("end is required for a one-shot schedule.");
            RuleFor(s => s.End)
                .GreaterThan(s => s.Start)
                .When(s => s.Start is not null && s.End is not null)
                .OverridePropertyName("end")
                .WithMessage(s => $"end ({s.End:O}) must be after start ({s.Start:O}).");
        });

        RuleFor(s => s.MinReplicas)
            .InclusiveBetween(1, Math.Max(1, maxReplicas))
            .OverridePropertyName("minReplicas")
            .WithMessage(s => $"minReplicas must be from 1 to the policy's maxReplicas ({maxReplicas}) (got {s.MinReplicas}).");
    }
}
