using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Ports;

/// <summary>Sends approval cards and keeps them up to date (DingTalk interactive cards).</summary>
public interface IApprovalNotifier
{
    /// <summary>Creates and delivers the card for a new proposal. Idempotent on the proposal's identity.</summary>
    Task<CardReference> SendProposalAsync(ScaleProposal proposal, ScalePolicy policy, CancellationToken cancellationToken);

    /// <summary>Updates the card in place to the proposal's current phase, approvals and outcome.</summary>
    Task UpdateProposalAsync(ScaleProposal proposal, CancellationToken cancellationToken);

    /// <summary>
    /// Updates a group card (several proposals sharing one card, <paramref name="rows"/> oldest first) to all rows'
    /// current state. Without group support, the card shows the first row.
    /// </summary>
    Task UpdateGroupAsync(IReadOnlyList<ScaleProposal> rows, CancellationToken cancellationToken) =>
        UpdateProposalAsync(rows[0], cancellationToken);

    /// <summary>
    /// Updates the card delivered under the proposal's own identity when the proposal holds no record of it (the
    /// replica that delivered it stopped before writing it down); false when there is no such card. Never delivers a
    /// card. Without cards there is none.
    /// </summary>
    Task<bool> UpdateUnrecordedAsync(ScaleProposal proposal, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>
    /// DINGs <paramref name="receivers"/> about <paramref name="rows"/>: the undecided proposals of one card (one, or a
    /// group card's pending rows), or of every card due in one pass that goes to the same people in the same group (one
    /// DING names them all). Falls back to one @-mention reminder card in the group when DING is unavailable.
    /// Throws <see cref="NotifierBusyException"/> when the channel is throttled or out of reach: nothing was sent, and no
    /// fallback either (in a storm of cards each throttled DING would be a message in the group).
    /// </summary>
    Task<EscalationRecord> EscalateAsync(IReadOnlyList<ScaleProposal> rows, EscalationSpec escalation, IReadOnlyList<string> receivers, CancellationToken cancellationToken);

    /// <summary>
    /// @-mentions <paramref name="people"/>, added to the roster after the card <paramref name="rows"/> share was sent,
    /// in the card's group (a card update cannot mention anyone); true when it went out, or failed for good (recorded
    /// either way, so they are called at most once). Throws <see cref="NotifierBusyException"/> when the channel is
    /// throttled or out of reach: nothing was sent, the next pass tries again. Without cards there is nobody to call.
    /// </summary>
    Task<bool> MentionAddedApproversAsync(IReadOnlyList<ScaleProposal> rows, IReadOnlyList<string> people, CancellationToken cancellationToken) =>
        Task.FromResult(false);
}

public enum NoticeKind
{
    ScaledAutomatically,
    ScaleFailed,
    ProposalExpired,
    MaxReplicasReached,
    Frozen,
    Unfrozen,
    Pinned,
    MetricUnavailable,
    EventExpected,
}

/// <summary>A short announcement for the group (markdown text).</summary>
public sealed record Notice(NoticeKind Kind, WorkloadRef Target, string Title, string Markdown, NotificationSpec? Route);

/// <summary>Posts notices (robot group message or custom-robot webhook). Best-effort and rate-limited.</summary>
public interface INoticePublisher
{
    Task PublishAsync(Notice notice, CancellationToken cancellationToken);
}

/// <summary>
/// Shows a dependency fault as one living notice (DingTalk: a card in the notice group, updated in place; DINGs the
/// on-call people when it opens). Best-effort: answers false when it could not be shown, so the caller tries again.
/// </summary>
public interface IFaultNotifier
{
    /// <param name="ding">The opening notice (show it for the first time and DING); otherwise update the notice shown before, by whichever replica.</param>
    Task<bool> ShowAsync(Faults.FaultNotice notice, bool ding, CancellationToken cancellationToken);
}

/// <summary>Kubernetes Event reasons ScaleControl emits (one place, as KEDA's eventreason and Karpenter's events).</summary>
public static class ScaleEventReasons
{
    public const string ScaledByScaleControl = "ScaledByScaleControl";
    public const string ScaleProposalCreated = "ScaleProposalCreated";

    /// <summary>A pending proposal's target moved with the traffic (same record, same card), its own reason so it can be filtered apart from new ones.</summary>
    public const string ScaleProposalAmended = "ScaleProposalAmended";
    public const string ScaleProposalApproved = "ScaleProposalApproved";
    public const string ScaleProposalRejected = "ScaleProposalRejected";

    /// <summary>A proposal stopped by a rejection ScaleControl did not record (written by hand): it stays stopped, the Event says so.</summary>
    public const string ScaleProposalRejectionUnverified = "ScaleProposalRejectionUnverified";
    public const string ScaleProposalExpired = "ScaleProposalExpired";

    /// <summary>A pending proposal closed because the policy's latest decision no longer asks for it.</summary>
    public const string ScaleProposalWithdrawn = "ScaleProposalWithdrawn";

    public const string ScaleFailed = "ScaleFailed";
    public const string ScaleConflictRetried = "ScaleConflictRetried";

    /// <summary>An approved change not written yet because what it is checked against could not be read; it is retried.</summary>
    public const string ScaleDeferred = "ScaleDeferred";

    /// <summary>An approved change not written because too few of its approvals count now; the proposal waits for another.</summary>
    public const string ScaleAwaitingApproval = "ScaleAwaitingApproval";
    public const string TargetManagedByHpa = "TargetManagedByHpa";
    public const string MetricUnavailable = "MetricUnavailable";
    public const string PolicyFrozen = "PolicyFrozen";
    public const string ReplicasPinned = "ReplicasPinned";
    public const string EventExpected = "ScaleEventExpected";

    /// <summary>An Observe policy would have scaled (nothing was written): the shadow trail in <c>kubectl describe</c>.</summary>
    public const string ScaleObserved = "ScaleObserved";
}

/// <summary>Records Kubernetes Events on the target workload (best-effort, deduplicated; never throws).</summary>
public interface IEventRecorder
{
    Task RecordAsync(WorkloadRef target, string reason, string message, bool warning, CancellationToken cancellationToken);
}

/// <summary>Whether this replica is the leader (only the leader runs the control loop).</summary>
public interface ILeadership
{
    bool IsLeader { get; }
    string Identity { get; }
    string? CurrentLeader { get; }

    /// <summary>Counts this replica's terms as leader: a tick started in one term must not write in the next (see LeaderFence).</summary>
    long Term { get; }
}
