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
            // A week at most, as an expected event: each evaluation searches back this far for the window's opening.
            RuleFor(s => s.DurationSeconds)
                .LessThanOrEqualTo(ExpectedEventSpecValidator.MaxDurationSeconds)
                .When(s => s.DurationSeconds is not null)
                .OverridePropertyName("durationSeconds")
                .WithMessage(s => $"durationSeconds must be at most {ExpectedEventSpecValidator.MaxDurationSeconds} (a week) for a cron schedule (got {s.DurationSeconds}); use a one-shot schedule (start, end) for longer.");
            RuleFor(s => s.TimeZone)
                .Must(z => ScheduleCalendar.TryFindTimeZone(z, out _))
                .OverridePropertyName("timeZone")
                .WithMessage(s => $"timeZone '{s.TimeZone}' is unknown; use an IANA id such as Asia/Shanghai.");
        });

        RuleFor(s => s.ExcludeDates)
            .Cascade(CascadeMode.Stop)
            .NotNull()
            .WithMessage("excludeDates must be a list of days such as [\"2026-10-01\"], not null.")
            .Must(d => d.Count <= ScheduleSpec.MaxExcludeDates)
            .WithMessage(s => $"at most {ScheduleSpec.MaxExcludeDates} excludeDates per schedule (got {s.ExcludeDates.Count}).")
            .OverridePropertyName("excludeDates");
        RuleFor(s => s.ExcludeDates)
            .Must(d => d is not { Count: > 0 })
            .When(s => s.Cron is null)
            .OverridePropertyName("excludeDates")
            .WithMessage("excludeDates applies to a recurring (cron) schedule; a one-shot schedule has its own start and end.");
        RuleForEach(s => s.ExcludeDates)
            .Must(ScheduleCalendar.IsDate)
            .When(s => s.ExcludeDates is not null && s.ExcludeDates.Count <= ScheduleSpec.MaxExcludeDates)
            .OverridePropertyName("excludeDates")
            .WithMessage((_, date) => $"excludeDates entry '{(date is { Length: > 20 } ? date[..20] + "…" : date)}' is not a day written as {ScheduleSpec.DateFormat} (such as 2026-10-01).");

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
