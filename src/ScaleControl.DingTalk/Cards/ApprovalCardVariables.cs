namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// The variables of the approval card template (samples/dingtalk/approval-card-template.md). Every value is sent
/// as a string (§2.6); the type noted is what the template declares. The buttons show while <see cref="Status"/> is
/// <c>pending</c>; "Approve half step" also needs a non-empty <see cref="HalfStepTo"/>.
/// </summary>
public static class ApprovalCardVariables
{
    /// <summary>string: "shop/checkout-api: 20 → 60 replicas".</summary>
    public const string Title = "title";

    /// <summary>string: "Deployment shop/checkout-api".</summary>
    public const string Workload = "workload";

    /// <summary>string: "shop".</summary>
    public const string Namespace = "namespace";

    /// <summary>number.</summary>
    public const string ReplicasFrom = "replicasFrom";

    /// <summary>number.</summary>
    public const string ReplicasTo = "replicasTo";

    /// <summary>number: the alternative (half step), or "" when none is offered (hides the button).</summary>
    public const string HalfStepTo = "halfStepTo";

    /// <summary>markdown: the decision's reason line.</summary>
    public const string Reason = "reason";

    /// <summary>string: "48.2k qps".</summary>
    public const string CurrentTraffic = "currentTraffic";

    /// <summary>string: "61k qps", or "" without prediction.</summary>
    public const string PredictedTraffic = "predictedTraffic";

    /// <summary>string: "500 qps/pod".</summary>
    public const string PerPodTarget = "perPodTarget";

    /// <summary>string: "+8 pods · +4 CPU, +8 GiB · ≈ ¥12.80/h" (resources and cost only when known).</summary>
    public const string CostDelta = "costDelta";

    /// <summary>string: "room: fits (free 11.5 CPU on 3 nodes)", "room: 6 of 8 fit — 2 would stay Pending (needs ~1 more node)", "room: unknown (…)"; "" on a group card.</summary>
    public const string Room = "room";

    /// <summary>string: "@Zhang San @lisi".</summary>
    public const string OnCall = "onCall";

    /// <summary>string: "10:42:05 UTC".</summary>
    public const string ExpiresAt = "expiresAt";

    /// <summary>string enum: pending, approved, applying, applied, rejected, expired, superseded, failed; on a group card group_pending (any row waits), applying, applied or decided.</summary>
    public const string Status = "status";

    /// <summary>string: the status for people, with the approval count and expiry while pending.</summary>
    public const string StatusText = "statusText";

    /// <summary>string: who decided ("Zhang San", "Zhang San (40 replicas), lisi").</summary>
    public const string DecidedBy = "decidedBy";

    /// <summary>string: when ("10:32:01 UTC").</summary>
    public const string DecidedAt = "decidedAt";

    /// <summary>markdown: the outcome ("applied 20 → 60 at 10:32:05 UTC", "failed: reason", "rejected: reason; no change").</summary>
    public const string Result = "result";

    /// <summary>string: the policy group of a group card ("feed-chain"), "" for a card of one proposal.</summary>
    public const string Group = "group";

    /// <summary>markdown: one line per row of a group card ("**feed/gateway** 4 → 8 · pending · 1.2k qps"), "" otherwise.</summary>
    public const string Rows = "rows";

    /// <summary>
    /// array (JSON text): the rows of a group card for the builder's loop, one object per row with <c>key</c>
    /// (namespace/proposal, the per-row buttons' <c>row</c> param), <c>workload</c>, <c>from</c>, <c>to</c> and
    /// <c>status</c> (the row's phase; its Approve/Reject buttons show while <c>pending</c>); "" on a card of one proposal.
    /// </summary>
    public const string RowItems = "rowItems";

    /// <summary>
    /// string: on a group card, the pending rows with the targets the card shows (<c>namespace/proposal=to</c>, comma
    /// separated), which "Approve all" sends back as its <c>seen</c> param: it approves what the approver saw, and a
    /// row that joined the card later stays pending; "" otherwise.
    /// </summary>
    public const string AllSeen = "allSeen";

    /// <summary>string: the latest change of the target while pending ("updated 10:32:05 UTC: 40 → 60"), "" when never amended.</summary>
    public const string Updated = "updated";

    /// <summary>number: the replicas Undo goes back to on an applied card ("" hides the Undo button: not applied, undone, a pin).</summary>
    public const string UndoTo = "undoTo";

    /// <summary>number: on a group card, how many applied rows "Undo all" would take back ("" hides the button).</summary>
    public const string UndoAll = "undoAll";

    /// <summary>string: dingtalk:// deep link to the proposal page ("" without DetailsBaseUrl).</summary>
    public const string DetailUrl = "detailUrl";

    /// <summary>Private (per user) string: why a tap changed nothing.</summary>
    public const string PrivateMessage = "privateMessage";
}
