using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class ScalePolicySpecValidator : AbstractValidator<ScalePolicySpec>
{
    public ScalePolicySpecValidator()
    {
        RuleFor(s => s.Target).NotNull().SetValidator(new TargetRefValidator()).OverridePropertyName("target");

        RuleFor(s => s.Metrics)
            .NotEmpty()
            .When(s => s.Follow is null)
            .OverridePropertyName("metrics")
            .WithMessage("metrics must list at least one metric (a PromQL query and a target), or set follow to size from another workload.");
        RuleFor(s => s.Metrics)
            .Empty()
            .When(s => s.Follow is not null)
            .OverridePropertyName("metrics")
            .WithMessage("a policy either follows a workload or sizes from metrics: remove metrics or follow.");
        RuleFor(s => s.Follow!).SetValidator(new FollowSpecValidator()).When(s => s.Follow is not null).OverridePropertyName("follow");
        RuleFor(s => s.Metrics)
            .Must(list => list.Count <= MetricSpec.MaxPerPolicy)
            .OverridePropertyName("metrics")
            .WithMessage(s => $"at most {MetricSpec.MaxPerPolicy} metrics per policy (got {s.Metrics.Count}).");
        RuleForEach(s => s.Metrics).NotNull().OverridePropertyName("metrics").WithMessage(NullEntry("a metric"));
        RuleForEach(s => s.Metrics).SetValidator(new MetricSpecValidator()).OverridePropertyName("metrics");
        RuleFor(s => s.Metrics)
            .Must(m => m.Select(x => x?.Name).Distinct(StringComparer.Ordinal).Count() == m.Count)
            .When(s => s.Metrics.Count > 1)
            .OverridePropertyName("metrics")
            .WithMessage("metric names must be unique within a policy (they label reasons and history).");

        RuleFor(s => s.MinReplicas)
            .GreaterThanOrEqualTo(1)
            .OverridePropertyName("minReplicas")
            .WithMessage(s => $"minReplicas must be at least 1 (got {s.MinReplicas}); scaling to zero is not supported.");
        RuleFor(s => s.MaxReplicas)
            .GreaterThanOrEqualTo(1)
            .OverridePropertyName("maxReplicas")
            .WithMessage(s => s.MaxReplicas == 0
                ? "maxReplicas is required: the most replicas the policy may set (there is no default)."
                : $"maxReplicas must be at least 1 (got {s.MaxReplicas}).");
        RuleFor(s => s.MinReplicas)
            .LessThanOrEqualTo(ScalePolicySpec.MaxReplicaCount)
            .OverridePropertyName("minReplicas")
            .WithMessage(s => $"minReplicas must be at most {ScalePolicySpec.MaxReplicaCount} (got {s.MinReplicas}), as pins and prepared floors.");
        RuleFor(s => s.MaxReplicas)
            .LessThanOrEqualTo(ScalePolicySpec.MaxReplicaCount)
            .OverridePropertyName("maxReplicas")
            .WithMessage(s => $"maxReplicas must be at most {ScalePolicySpec.MaxReplicaCount} (got {s.MaxReplicas}), as pins and prepared floors.");
        RuleFor(s => s.MaxReplicas)
            .GreaterThanOrEqualTo(s => s.MinReplicas)
            .When(s => s.MaxReplicas >= 1)
            .OverridePropertyName("maxReplicas")
            .WithMessage(s => $"maxReplicas ({s.MaxReplicas}) must not be less than minReplicas ({s.MinReplicas}).");

        RuleFor(s => s.Tolerance)
            .Must(t => t is >= 0 and < 1)
            .OverridePropertyName("tolerance")
            .WithMessage(s => $"tolerance must be a fraction from 0 up to (not including) 1, e.g. 0.1 for 10% (got {s.Tolerance}).");

        RuleFor(s => s.Mode)
            .IsInEnum()
            .OverridePropertyName("mode")
            .WithMessage(s => $"mode '{s.Mode}' is unknown; use Auto, Approval, Hybrid or Observe.");
        RuleFor(s => s.ScaleDownMode)
            .IsInEnum()
            .When(s => s.ScaleDownMode is not null)
            .OverridePropertyName("scaleDownMode")
            .WithMessage(s => $"scaleDownMode '{s.ScaleDownMode}' is unknown; use Auto, Approval, Hybrid or Observe.");

        // A policy observes as a whole: half a shadow (ups applied, downs only shown) would compare with nothing.
        RuleFor(s => s.ScaleDownMode)
            .Must((s, down) => (s.Mode == ScaleMode.Observe) == (down == ScaleMode.Observe))
            .When(s => s.ScaleDownMode is not null && Enum.IsDefined(s.ScaleDownMode.Value))
            .OverridePropertyName("scaleDownMode")
            .WithMessage(s => s.Mode == ScaleMode.Observe
                ? $"scaleDownMode {s.ScaleDownMode} does not go with mode Observe, which observes scale-downs too and acts on none; remove scaleDownMode (or set it to Observe)."
                : $"scaleDownMode Observe needs mode Observe: a policy observes as a whole; set mode: Observe, or scaleDownMode to Auto, Approval or Hybrid.");

        RuleFor(s => s.AutoApproveMaxStep)
            .NotNull()
            .When(UsesHybrid)
            .OverridePropertyName("autoApproveMaxStep")
            .WithMessage("autoApproveMaxStep (pods and/or percent) is required in Hybrid mode: it says which steps are applied without asking.");
        RuleFor(s => s.AutoApproveMaxStep!)
            .SetValidator(new StepLimitValidator())
            .When(s => s.AutoApproveMaxStep is not null)
            .OverridePropertyName("autoApproveMaxStep");

        RuleFor(s => s.Group)
            .Matches("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
            .When(s => s.Group is not null)
            .OverridePropertyName("group")
            .WithMessage(s => $"group '{s.Group}' must be a lowercase DNS label of at most 63 characters (letters, digits, '-'), e.g. feed-chain.");

        RuleFor(s => s.AutoApproveWindowSeconds)
            .InclusiveBetween(1, 86_400)
            .OverridePropertyName("autoApproveWindowSeconds")
            .WithMessage(s => $"autoApproveWindowSeconds must be from 1 to 86400 (one day) (got {s.AutoApproveWindowSeconds}).");

        RuleFor(s => s.Behavior).NotNull().SetValidator(new ScalingBehaviorValidator()).OverridePropertyName("behavior");
        RuleFor(s => s.Prediction).NotNull().SetValidator(new PredictionSpecValidator()).OverridePropertyName("prediction");

        RuleFor(s => s.Schedules)
            .Must(list => list.Count <= ScheduleSpec.MaxPerPolicy)
            .OverridePropertyName("schedules")
            .WithMessage(s => $"at most {ScheduleSpec.MaxPerPolicy} schedules per policy (got {s.Schedules.Count}).");
        RuleForEach(s => s.Schedules).NotNull().OverridePropertyName("schedules").WithMessage(NullEntry("a schedule"));
        RuleForEach(s => s.Schedules).SetValidator(s => new ScheduleSpecValidator(s.MaxReplicas)).OverridePropertyName("schedules");
        RuleFor(s => s.Schedules)
            .Must(list => list.Select(x => x?.Name).Distinct(StringComparer.Ordinal).Count() == list.Count)
            .When(s => s.Schedules.Count > 1)
            .OverridePropertyName("schedules")
            .WithMessage("schedule names must be unique within a policy.");

        RuleFor(s => s.LeadingSignal!)
            .SetValidator(s => new LeadingSignalSpecValidator([.. s.Metrics.OfType<MetricSpec>()]))
            .When(s => s.LeadingSignal is not null)
            .OverridePropertyName("leadingSignal");
        RuleFor(s => s.ExpectedEvents)
            .Must(list => list.Count <= ExpectedEventSpec.MaxPerPolicy)
            .OverridePropertyName("expectedEvents")
            .WithMessage(s => $"at most {ExpectedEventSpec.MaxPerPolicy} expected events per policy (got {s.ExpectedEvents.Count}); remove ended ones.");
        RuleForEach(s => s.ExpectedEvents).NotNull().OverridePropertyName("expectedEvents").WithMessage(NullEntry("an expected event"));
        RuleForEach(s => s.ExpectedEvents).SetValidator(s => new ExpectedEventSpecValidator()).OverridePropertyName("expectedEvents");
        RuleFor(s => s.ExpectedEvents)
            .Must(list => list.Select(x => x?.Name).Distinct(StringComparer.Ordinal).Count() == list.Count)
            .When(s => s.ExpectedEvents.Count > 1)
            .OverridePropertyName("expectedEvents")
            .WithMessage("expected event names must be unique within a policy.");

        RuleFor(s => s.Notifications!.OpenConversationId)
            .MaximumLength(TextLimits.ConversationId)
            .When(s => s.Notifications is not null)
            .OverridePropertyName("notifications.openConversationId")
            .WithMessage($"notifications.openConversationId must be at most {TextLimits.ConversationId} characters.");
        RuleFor(s => s.Notifications!.Webhook)
            .MaximumLength(TextLimits.ConversationId)
            .When(s => s.Notifications is not null)
            .OverridePropertyName("notifications.webhook")
            .WithMessage($"notifications.webhook (a configured webhook's name) must be at most {TextLimits.ConversationId} characters.");

        RuleFor(s => s.Approval)
            .NotNull()
            .When(NeedsApproval)
            .OverridePropertyName("approval")
            .WithMessage(s => $"approval (group and approvers) is required because {DescribeApprovalModes(s)}.");
        RuleFor(s => s.Approval!)
            .SetValidator(new ApprovalSpecValidator())
            .When(s => s.Approval is not null)
            .OverridePropertyName("approval");
        RuleFor(s => s.Approval!.Approvers)
            .NotEmpty()
            .When(s => s.Approval is not null && NeedsApproval(s))
            .OverridePropertyName("approval.approvers")
            .WithMessage(s => $"approval.approvers must name at least one DingTalk userId because {DescribeApprovalModes(s)}.");
        RuleFor(s => s.Approval!.OpenConversationId)
            .NotEmpty()
            .When(s => s.Approval is not null && NeedsApproval(s))
            .OverridePropertyName("approval.openConversationId")
            .WithMessage(s => $"approval.openConversationId (the DingTalk on-call group) is required because {DescribeApprovalModes(s)}.");

        RuleFor(s => s.EvaluationIntervalSeconds)
            .InclusiveBetween(1, MaxEvaluationIntervalSeconds)
            .OverridePropertyName("evaluationIntervalSeconds")
            .WithMessage(s => $"evaluationIntervalSeconds must be between 1 and {MaxEvaluationIntervalSeconds} (got {s.EvaluationIntervalSeconds}): a policy evaluated less often cannot react to an event.");

        RuleFor(s => s.Freeze!).SetValidator(new FreezeSpecValidator()).When(s => s.Freeze is not null).OverridePropertyName("freeze");
        RuleFor(s => s.Pin!).SetValidator(new PinSpecValidator()).When(s => s.Pin is not null).OverridePropertyName("pin");
    }

    /// <summary>Ten minutes: beyond that a mistyped interval (3600) would leave a policy asleep through a hot event.</summary>
    public const int MaxEvaluationIntervalSeconds = 600;

    /// <summary>A list entry given as JSON null (or YAML <c>- ~</c>): named by its index, never a crash further on.</summary>
    private static string NullEntry(string what) => $"{what} must be an object, not null.";

    private static bool UsesHybrid(ScalePolicySpec s) => s.Mode == ScaleMode.Hybrid || s.ScaleDownMode == ScaleMode.Hybrid;

    private static bool NeedsApproval(ScalePolicySpec s) =>
        s.Mode is ScaleMode.Approval or ScaleMode.Hybrid || s.ScaleDownMode is ScaleMode.Approval or ScaleMode.Hybrid;

    private static string DescribeApprovalModes(ScalePolicySpec s) =>
        s.Mode is ScaleMode.Approval or ScaleMode.Hybrid ? $"mode is {s.Mode}" : $"scaleDownMode is {s.ScaleDownMode}";
}
