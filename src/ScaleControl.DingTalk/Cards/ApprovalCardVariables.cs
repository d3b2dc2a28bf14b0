namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// The variables of the approval card template (samples/dingtalk/approval-card-template.md). Every value is sent
/// as a string (§2.6); the type noted is what the template declares.
/// </summary>
public static class ApprovalCardVariables
{
    /// <summary>string: "shop/checkout-api: 20 → 60 replicas".</summary>
    public const string Title = "title";

    /// <summary>string: "Deployment shop/checkout-api".</summary>
    public const string Workload = "workload";

    /// <summary>number.</summary>
    public const string ReplicasFrom = "replicasFrom";

    /// <summary>number.</summary>
    public const string ReplicasTo = "replicasTo";

    /// <summary>number, or "" when no alternative is offered.</summary>
    public const string ReplicasAlt = "replicasAlt";

    /// <summary>string: the decision's reason line.</summary>
    public const string Reason = "reason";

    /// <summary>string: "48.2k qps".</summary>
    public const string TrafficNow = "trafficNow";

    /// <summary>string: "61k qps" or "" without prediction.</summary>
    public const string TrafficPredicted = "trafficPredicted";

    /// <summary>string: "500 qps/pod".</summary>
    public const string PerPodTarget = "perPodTarget";

    /// <summary>string: "+40 pods".</summary>
    public const string CostDelta = "costDelta";

    /// <summary>markdown: the key numbers on one line.</summary>
    public const string KeyNumbers = "keyNumbers";

    /// <summary>string: "@Zhang San @lisi".</summary>
    public const string OnCall = "onCall";

    /// <summary>string: "1/2 approvals".</summary>
    public const string ApprovalsText = "approvalsText";

    /// <summary>string: "10:42:05 UTC".</summary>
    public const string ExpiresAt = "expiresAt";

    /// <summary>number: Unix milliseconds, for a countdown component.</summary>
    public const string ExpiresAtMillis = "expiresAtMillis";

    /// <summary>string enum: pending, approved, applying, applied, rejected, expired, superseded, failed.</summary>
    public const string Status = "status";

    /// <summary>string: the status for people.</summary>
    public const string StatusText = "statusText";

    /// <summary>boolean: Approve/Reject visible (only while pending).</summary>
    public const string ShowActions = "showActions";

    /// <summary>boolean: "Approve half step" visible (pending and an alternative exists).</summary>
    public const string ShowHalfStep = "showHalfStep";

    /// <summary>string: who did what and when.</summary>
    public const string DecisionText = "decisionText";

    /// <summary>string: "applied 20 → 60 at 10:32:05" or "failed: reason".</summary>
    public const string OutcomeText = "outcomeText";

    /// <summary>string: dingtalk:// deep link to the proposal page ("" when no DetailsBaseUrl).</summary>
    public const string DetailUrl = "detailUrl";

    /// <summary>Private (per user) string: why a tap changed nothing.</summary>
    public const string PrivateNotice = "privateNotice";
}
