using ScaleControl.Core.Capacity;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// A proposed (or automatically applied) scale action and its audit trail, stored as a
/// <c>scalecontrol.io/v1alpha1</c> ScaleProposal custom resource in the workload's namespace.
/// </summary>
public sealed record ScaleProposal
{
    public const string KindValue = "ScaleProposal";

    public string ApiVersion { get; init; } = ScalePolicy.ApiVersionValue;
    public string Kind { get; init; } = KindValue;
    public ObjectMeta Metadata { get; init; } = new();
    public ScaleProposalSpec Spec { get; init; } = new();
    public ScaleProposalStatus Status { get; init; } = new();

    public string Key => $"{Metadata.Namespace}/{Metadata.Name}";
}

public sealed record ScaleProposalSpec
{
    public string PolicyName { get; init; } = "";
    public TargetRef Target { get; init; } = new();
    public int FromReplicas { get; init; }
    public int ToReplicas { get; init; }

    /// <summary>An alternative the approver may pick instead (e.g. half the step); null when not offered.</summary>
    public int? AlternativeReplicas { get; init; }

    /// <summary>Human-readable reason from the decision.</summary>
    public string Reason { get; init; } = "";

    public DecisionEvidence? Evidence { get; init; }

    /// <summary>Who asked for it: "scalecontrol" for the control loop, a user for overrides.</summary>
    public string RequestedBy { get; init; } = "scalecontrol";

    /// <summary>True when the policy requires two distinct approvers for this proposal.</summary>
    public bool RequiresTwoPersons { get; init; }

    public int RequiredApprovals { get; init; } = 1;

    /// <summary>The approver roster copied from the policy when the proposal was made.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    /// <summary>The workload's resourceVersion when the decision was made (optimistic concurrency on apply).</summary>
    public string? WorkloadResourceVersion { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? EscalateAt { get; init; }

    /// <summary>The policy's group: open proposals of one group share one card (the first one's).</summary>
    public string? Group { get; init; }

    /// <summary>The policy's back-off after a reject, copied when the proposal was made (a "no" holds this long).</summary>
    public int RejectBackoffSeconds { get; init; } = 1800;

    /// <summary>
    /// The policy's tolerance, copied when the proposal was made: a refusal of it holds until more than its target plus
    /// this is needed, and the card names that count as the loop counts it (null on proposals made before it was kept).
    /// </summary>
    public double? Tolerance { get; init; }

    /// <summary>What the change costs and whether the cluster has room, worked out when the proposal was made or amended.</summary>
    public CapacityEstimate? Capacity { get; init; }

    /// <summary>
    /// On a scale-up: the replicas the workload ran before the hot event it belongs to (its own start, or the start of
    /// the event an earlier scale-up began). A "return to normal" goes back to this count (<see cref="ReturnToNormalRules"/>).
    /// </summary>
    public int? PreEventReplicas { get; init; }
}

public enum ProposalPhase
{
    Pending,
    Approved,
    Applying,
    Applied,
    Rejected,
    Expired,
    Superseded,
    Failed,
}

public enum ApprovalChannel
{
    DingTalk,
    Api,
    Cli,
    Auto,

    /// <summary>A command typed to the robot in a DingTalk chat ("dingtalk-chat").</summary>
    DingTalkChat,
}

public sealed record ApprovalRecord
{
    public string User { get; init; } = "";
    public ApprovalChannel Channel { get; init; }
    public DateTimeOffset At { get; init; }

    /// <summary>The replicas this approver agreed to (the full step or the alternative).</summary>
    public int Replicas { get; init; }

    /// <summary>
    /// What the proposal asked when this approval was recorded, which its seal covers; null on records sealed before
    /// approvals kept it (their seal covers the proposal's spec as it was, and checks only while the spec is unchanged).
    /// </summary>
    public AskedStep? Asked { get; init; }

    /// <summary>ScaleControl's seal on this record (HMAC with the server's key); the leader applies no approval without a valid one.</summary>
    public string? Signature { get; init; }
}

public sealed record RejectionRecord
{
    public string User { get; init; } = "";
    public ApprovalChannel Channel { get; init; }
    public DateTimeOffset At { get; init; }
    public string Reason { get; init; } = "";

    /// <summary>
    /// ScaleControl's seal on this rejection (HMAC with the server's key, over the proposal, the step it asked, who, how,
    /// when and why). One without a valid seal was written by hand: the proposal stays stopped, but it is shown as a claim.
    /// </summary>
    public string? Signature { get; init; }
}

/// <summary>One change of a pending proposal's target: "updated 10:32: 40 → 60".</summary>
public sealed record AmendmentRecord
{
    public DateTimeOffset At { get; init; }
    public int FromTarget { get; init; }
    public int ToTarget { get; init; }

    /// <summary>The half step offered before the change, so a tap on it is still understood.</summary>
    public int? FromAlternative { get; init; }
    public string Reason { get; init; } = "";

    /// <summary>
    /// The first amendment only: the reason the proposal was made for, which the amendment replaces in the spec (the
    /// history's Proposed row says why it asked what it first asked; later amendments replace the previous one's reason).
    /// </summary>
    public string? FromReason { get; init; }
}

public sealed record PhaseTransition
{
    /// <summary>The phase left; null on the first row, when the proposal was created.</summary>
    public ProposalPhase? From { get; init; }
    public ProposalPhase To { get; init; }
    public DateTimeOffset At { get; init; }
    public string By { get; init; } = "";
    public string Message { get; init; } = "";
}

public sealed record CardReference
{
    public string OutTrackId { get; init; } = "";
    public string? OpenConversationId { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? Error { get; init; }

    /// <summary>
    /// The proposal state the card last showed (<see cref="CardState.Of"/>), written with the proposal; a card whose
    /// value differs from the proposal's is stale and the card reconciler brings it up to date.
    /// </summary>
    public string? ShownState { get; init; }
}

public sealed record EscalationRecord
{
    public DateTimeOffset At { get; init; }
    public DingType DingType { get; init; }
    public IReadOnlyList<string> Receivers { get; init; } = [];

    /// <summary>"ding" when DING was sent, "group-mention" when it fell back to @-mentioning them on a reminder card in the group.</summary>
    public string Via { get; init; } = "ding";
    public string? Message { get; init; }
}

/// <summary>
/// An approver added to the policy's roster after the card was sent, @-mentioned once on a short card in the card's
/// group (a card update cannot @-mention anyone): recorded so that no other pass, replica or restart mentions them again.
/// Or one the card called who was dropped from the roster since (<see cref="Dropped"/>).
/// </summary>
public sealed record RosterMention
{
    public string User { get; init; } = "";
    public DateTimeOffset At { get; init; }

    /// <summary>
    /// The approver was dropped from the roster since the card called them: the card's on-call line no longer names them
    /// (<see cref="ApproverRoster.Called"/>). The latest record of a person stands, so one added back is called again.
    /// </summary>
    public bool Dropped { get; init; }
}

public sealed record ScaleProposalStatus
{
    public ProposalPhase Phase { get; init; } = ProposalPhase.Pending;
    public IReadOnlyList<ApprovalRecord> Approvals { get; init; } = [];
    public RejectionRecord? Rejection { get; init; }
    public CardReference? Card { get; init; }
    public IReadOnlyList<EscalationRecord> Escalations { get; init; } = [];

    /// <summary>How the card followed the roster since it was sent: approvers added and @-mentioned, approvers dropped (<see cref="ApproverRoster"/>).</summary>
    public IReadOnlyList<RosterMention> RosterMentions { get; init; } = [];

    /// <summary>The replicas actually written (may be the alternative).</summary>
    public int? AppliedReplicas { get; init; }
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>
    /// What the applied change costs when fewer replicas than asked were applied (Approve half, an approval of fewer):
    /// the applied share of <see cref="ScaleProposalSpec.Capacity"/>, which stays the cost of the whole ask. Null
    /// when the whole ask was applied (or nothing).
    /// </summary>
    public Capacity.CapacityEstimate? AppliedCapacity { get; init; }

    /// <summary>Outcome or failure reason, e.g. "applied 20 → 60" or "conflict: workload changed since proposal".</summary>
    public string? Message { get; init; }

    /// <summary>Name of the proposal that superseded this one.</summary>
    public string? SupersededBy { get; init; }

    /// <summary>
    /// What the proposal named by <see cref="SupersededBy"/> asked for, so the card can say "superseded by a pin to 8
    /// by Zhang San" instead of "no change" when a pin took over and changed the replicas.
    /// </summary>
    public SupersessionRecord? Supersession { get; init; }

    /// <summary>Every change of the target while the proposal was pending (amended in place, same card).</summary>
    public IReadOnlyList<AmendmentRecord> Amendments { get; init; } = [];

    /// <summary>
    /// True when the approval covers less than the target because the target rose after the approver looked: the
    /// approved part is applied and the proposal returns to Pending for the rest.
    /// </summary>
    public bool PartlyApproved { get; init; }

    /// <summary>
    /// How the approvals counted against the policy when last judged, while that says more than the taps do (an
    /// approval that no longer counts, more approvals asked than when proposed: <see cref="ApprovalCounting"/>); null otherwise.
    /// </summary>
    public ApprovalTally? ApprovalTally { get; init; }

    /// <summary>
    /// The parts applied before the rest returned to Pending (a partial approval), each with the approvals that granted
    /// it: <see cref="Approvals"/> starts empty for the rest, and the audit must still say who approved the first part.
    /// </summary>
    public IReadOnlyList<AppliedStep> AppliedSteps { get; init; } = [];

    public IReadOnlyList<PhaseTransition> History { get; init; } = [];

    /// <summary>Set when this applied change was undone: by whom, through which proposal, back to what.</summary>
    public UndoRecord? Undo { get; init; }

    /// <summary>
    /// Set when this applied change stopped offering Undo before anyone undid it (<see cref="UndoRules.Withdrawal"/>): the
    /// workload moved on, or the undo window ended. The card drops its Undo button and says why.
    /// </summary>
    public UndoWithdrawal? UndoWithdrawn { get; init; }
}

/// <summary>One applied part of a proposal: from → to, when, and the approvals (who, channel, when) that granted it.</summary>
public sealed record AppliedStep
{
    public int From { get; init; }
    public int To { get; init; }
    public DateTimeOffset At { get; init; }
    public IReadOnlyList<ApprovalRecord> Approvals { get; init; } = [];
}

/// <summary>Who undid an applied change, when, through which proposal, and the replicas it went back to.</summary>
public sealed record UndoRecord
{
    public string Proposal { get; init; } = "";
    public string By { get; init; } = "";
    public ApprovalChannel Channel { get; init; }
    public DateTimeOffset At { get; init; }
    public int Replicas { get; init; }
}

/// <summary>Why an applied change's Undo would no longer mean what its card says.</summary>
public enum UndoWithdrawalCause
{
    /// <summary>A newer change of ScaleControl's was applied to the workload (a pin, an approved proposal, an automatic scale, an undo).</summary>
    NewerChange,

    /// <summary>The workload runs another count and no change of ScaleControl's explains it (kubectl scale, an HPA, another controller).</summary>
    WorkloadMoved,

    /// <summary><c>ScaleControl:Loop:UndoWindowSeconds</c> passed since the apply.</summary>
    WindowEnded,
}

/// <summary>
/// Why Undo is no longer offered on an applied change: what happened, when, the count the workload moved to, and the
/// newer change (its proposal, action and who asked for or approved it) when it was ScaleControl's.
/// </summary>
public sealed record UndoWithdrawal
{
    public UndoWithdrawalCause Cause { get; init; }

    /// <summary>When the newer change was applied, the window ended, or (moved outside ScaleControl) when that was seen.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The replicas the workload moved to (null when the window ended).</summary>
    public int? Replicas { get; init; }

    /// <summary>The newer change's proposal and action ("pin", "approval", "auto", "undo").</summary>
    public string? Proposal { get; init; }
    public string? Action { get; init; }

    /// <summary>Who made the newer change: the person who pinned or undid, or the approvers of an approved proposal.</summary>
    public IReadOnlyList<string> By { get; init; } = [];

    /// <summary>The line, in words (times in UTC): "shop/checkout-api moved to 12 by a pin by zhangsan at 20:14:05 UTC".</summary>
    public string Message { get; init; } = "";
}

/// <summary>What a decision was based on, kept on the proposal for audit and shown on the card.</summary>
public sealed record DecisionEvidence
{
    public IReadOnlyList<MetricEvidence> Metrics { get; init; } = [];
    public int CurrentReplicas { get; init; }
    public int ReadyReplicas { get; init; }

    /// <summary>Which rule bound the result, e.g. "maxStep", "maxReplicas", "schedule:gala", "stabilization".</summary>
    public string? BoundBy { get; init; }
}

public sealed record MetricEvidence
{
    public string Name { get; init; } = "";
    public double? Value { get; init; }
    public double? Predicted { get; init; }

    /// <summary>Trend in units per second, when known.</summary>
    public double? SlopePerSecond { get; init; }
    public double Target { get; init; }
    public int? Recommendation { get; init; }
    public string? Problem { get; init; }
}

/// <summary>The proposal that superseded another: its kind ("pin", "approval", "auto", "undo"), target and requester.</summary>
public sealed record SupersessionRecord
{
    public string Action { get; init; } = "";
    public int ToReplicas { get; init; }
    public string By { get; init; } = "";
}
