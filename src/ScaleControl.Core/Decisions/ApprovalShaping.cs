using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>Turns a step into an outcome per the policy's mode, and shapes what approvers are offered.</summary>
public static class ApprovalShaping
{
    public static DecisionOutcome Outcome(ScalePolicySpec spec, ScaleDirection direction, int current, int desired)
    {
        // Observe decides as Auto both ways (validation keeps scaleDownMode unset or Observe there); the host writes nothing.
        var mode = direction == ScaleDirection.Down && spec.Mode != ScaleMode.Observe ? spec.ScaleDownMode ?? spec.Mode : spec.Mode;
        return mode switch
        {
            ScaleMode.Auto or ScaleMode.Observe => DecisionOutcome.ApplyNow,
            ScaleMode.Hybrid when spec.AutoApproveMaxStep is { } auto && Math.Abs(desired - current) <= AllowedStep(auto, current)
                => DecisionOutcome.ApplyNow,
            _ => DecisionOutcome.Propose,
        };
    }

    /// <summary>The larger of the pods and percent parts of a step limit, in pods.</summary>
    public static int AllowedStep(StepLimit limit, int current)
    {
        var pods = limit.Pods ?? 0;
        var percent = limit.Percent is { } p ? (int)Math.Floor(current * p / 100) : 0;
        return Math.Max(pods, percent);
    }

    /// <summary>Half the step (towards the current count) when the policy offers it and it differs from both ends.</summary>
    public static int? HalfStep(ScalePolicySpec spec, int current, int desired)
    {
        if (spec.Approval is not { AllowHalfStep: true })
        {
            return null;
        }

        var half = current + ((desired - current) / 2);
        return half != current && half != desired ? half : null;
    }

    /// <summary>How many distinct approvers a change needs: the policy's count, and at least two under the two-person rule.</summary>
    public static int ApprovalsNeeded(int requiredApprovals, bool twoPersons) => Math.Max(requiredApprovals, twoPersons ? 2 : 1);

    public static bool RequiresTwoPersons(ScalePolicySpec spec, int current, int desired)
    {
        if (spec.Approval?.TwoPersonRule is not { } rule)
        {
            return false;
        }

        var stepPercent = current > 0 ? Math.Abs(desired - current) * 100.0 / current : double.PositiveInfinity;
        return (rule.AboveReplicas is { } replicas && desired >= replicas)
            || (rule.AboveStepPercent is { } percent && stepPercent >= percent);
    }
}
