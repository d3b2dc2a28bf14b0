using FluentValidation;

namespace ScaleControl.Core.Policies.Validation;

internal sealed class ApprovalSpecValidator : AbstractValidator<ApprovalSpec>
{
    /// <summary>A week: the longest a proposal may wait for approval.</summary>
    public const int MaxExpirySeconds = 604_800;

    public ApprovalSpecValidator()
    {
        RuleForEach(a => a.Approvers)
            .NotEmpty()
            .OverridePropertyName("approvers")
            .WithMessage("approvers must not contain empty userIds.");
        RuleForEach(a => a.Approvers)
            .MaximumLength(TextLimits.UserId)
            .OverridePropertyName("approvers")
            .WithMessage($"approvers must be DingTalk userIds of at most {TextLimits.UserId} characters.");
        RuleForEach(a => a.Approvers)
            .Must(TextLimits.IsUserId)
            .OverridePropertyName("approvers")
            .WithMessage("approvers must be DingTalk userIds: no spaces or control characters (they are matched against who tapped, and shown on cards).");
        RuleFor(a => a.Approvers.Count)
            .LessThanOrEqualTo(TextLimits.Approvers)
            .OverridePropertyName("approvers")
            .WithMessage(a => $"approvers lists {a.Approvers.Count} people; at most {TextLimits.Approvers}.");
        RuleFor(a => a.OpenConversationId)
            .MaximumLength(TextLimits.ConversationId)
            .OverridePropertyName("openConversationId")
            .WithMessage($"openConversationId must be at most {TextLimits.ConversationId} characters.");
        RuleFor(a => a.Approvers)
            .Must(list => list.Distinct(StringComparer.Ordinal).Count() == list.Count)
            .OverridePropertyName("approvers")
            .WithMessage("approvers must not list the same userId twice.");

        RuleFor(a => a.RequiredApprovals)
            .GreaterThanOrEqualTo(1)
            .OverridePropertyName("requiredApprovals")
            .WithMessage(a => $"requiredApprovals must be at least 1 (got {a.RequiredApprovals}).");
        RuleFor(a => a.RequiredApprovals)
            .LessThanOrEqualTo(a => a.Approvers.Count)
            .When(a => a.Approvers.Count > 0 && a.RequiredApprovals >= 1)
            .OverridePropertyName("requiredApprovals")
            .WithMessage(a => $"requiredApprovals ({a.RequiredApprovals}) is more than the {a.Approvers.Count} listed approvers: no proposal could ever be approved.");

        When(a => a.TwoPersonRule is not null, () =>
        {
            RuleFor(a => a.TwoPersonRule!)
                .Must(r => r.AboveReplicas is not null || r.AboveStepPercent is not null)
                .OverridePropertyName("twoPersonRule")
                .WithMessage("twoPersonRule needs aboveReplicas and/or aboveStepPercent.");
            RuleFor(a => a.TwoPersonRule!.AboveReplicas)
                .GreaterThan(0)
                .When(a => a.TwoPersonRule!.AboveReplicas is not null)
                .OverridePropertyName("twoPersonRule.aboveReplicas")
                .WithMessage(a => $"twoPersonRule.aboveReplicas must be greater than 0 (got {a.TwoPersonRule!.AboveReplicas}).");
            RuleFor(a => a.TwoPersonRule!.AboveReplicas)
                .LessThanOrEqualTo(ScalePolicySpec.MaxReplicaCount)
                .When(a => a.TwoPersonRule!.AboveReplicas is not null)
                .OverridePropertyName("twoPersonRule.aboveReplicas")
                .WithMessage(a => $"twoPersonRule.aboveReplicas must be at most {ScalePolicySpec.MaxReplicaCount}, the most replicas a policy holds (got {a.TwoPersonRule!.AboveReplicas}).");
            RuleFor(a => a.TwoPersonRule!.AboveStepPercent)
                .Must(p => p is { } v && double.IsFinite(v) && v > 0)
                .When(a => a.TwoPersonRule!.AboveStepPercent is not null)
                .OverridePropertyName("twoPersonRule.aboveStepPercent")
                .WithMessage(a => $"twoPersonRule.aboveStepPercent must be greater than 0 (got {a.TwoPersonRule!.AboveStepPercent}).");
            RuleFor(a => a.TwoPersonRule!.AboveStepPercent)
                .Must(p => p <= StepLimit.MaxPercent)
                .When(a => a.TwoPersonRule!.AboveStepPercent is { } v && double.IsFinite(v) && v > 0)
                .OverridePropertyName("twoPersonRule.aboveStepPercent")
                .WithMessage(a => $"twoPersonRule.aboveStepPercent must be at most {StepLimit.MaxPercent} (got {a.TwoPersonRule!.AboveStepPercent}); leave it out to ask two persons by replicas only.");
            RuleFor(a => a.Approvers)
                .Must(list => list.Count >= 2)
                .When(a => a.Approvers.Count > 0)
                .OverridePropertyName("approvers")
                .WithMessage(a => $"the two-person rule needs at least 2 approvers (got {a.Approvers.Count}).");
        });

        RuleFor(a => a.ExpirySeconds)
            .GreaterThan(0)
            .OverridePropertyName("expirySeconds")
            .WithMessage(a => $"expirySeconds must be greater than 0 (got {a.ExpirySeconds}): a proposal needs time to be approved.");
        RuleFor(a => a.ExpirySeconds)
            .LessThanOrEqualTo(MaxExpirySeconds)
            .OverridePropertyName("expirySeconds")
            .WithMessage(a => $"expirySeconds must be at most {MaxExpirySeconds} (one week) (got {a.ExpirySeconds}): a proposal about traffic that old no longer describes the traffic.");

        RuleFor(a => a.RejectBackoffSeconds)
            .InclusiveBetween(0, 86_400)
            .OverridePropertyName("rejectBackoffSeconds")
            .WithMessage(a => $"rejectBackoffSeconds must be from 0 to 86400 (one day) (got {a.RejectBackoffSeconds}).");

        RuleFor(a => a.ReturnToNormalAfterSeconds)
            .InclusiveBetween(0, 86_400)
            .OverridePropertyName("returnToNormalAfterSeconds")
            .WithMessage(a => $"returnToNormalAfterSeconds must be from 0 (off) to 86400 (one day) (got {a.ReturnToNormalAfterSeconds}).");

        When(a => a.Escalation is not null, () =>
        {
            RuleFor(a => a.Escalation!.AfterSeconds)
                .GreaterThan(0)
                .OverridePropertyName("escalation.afterSeconds")
                .WithMessage(a => $"escalation.afterSeconds must be greater than 0 (got {a.Escalation!.AfterSeconds}).");
            RuleFor(a => a.Escalation!.AfterSeconds)
                .LessThan(a => a.ExpirySeconds)
                .When(a => a.ExpirySeconds > 0 && a.Escalation!.AfterSeconds > 0)
                .OverridePropertyName("escalation.afterSeconds")
                .WithMessage(a => $"escalation.afterSeconds ({a.Escalation!.AfterSeconds}) must be less than expirySeconds ({a.ExpirySeconds}), or nobody is ever DINGed.");
            RuleFor(a => a.Escalation!.DingType)
                .IsInEnum()
                .OverridePropertyName("escalation.dingType")
                .WithMessage(a => $"escalation.dingType '{a.Escalation!.DingType}' is unknown; use InApp, Sms or Call.");
            RuleForEach(a => a.Escalation!.Receivers)
                .NotEmpty()
                .OverridePropertyName("escalation.receivers")
                .WithMessage("escalation.receivers must not contain empty userIds.");
            RuleForEach(a => a.Escalation!.Receivers)
                .MaximumLength(TextLimits.UserId)
                .OverridePropertyName("escalation.receivers")
                .WithMessage($"escalation.receivers must be DingTalk userIds of at most {TextLimits.UserId} characters.");
            RuleForEach(a => a.Escalation!.Receivers)
                .Must(TextLimits.IsUserId)
                .OverridePropertyName("escalation.receivers")
                .WithMessage("escalation.receivers must be DingTalk userIds: no spaces or control characters.");
            RuleFor(a => a.Escalation!.Receivers.Count)
                .LessThanOrEqualTo(TextLimits.Approvers)
                .OverridePropertyName("escalation.receivers")
                .WithMessage(a => $"escalation.receivers lists {a.Escalation!.Receivers.Count} people; at most {TextLimits.Approvers}.");
        });
    }
}
