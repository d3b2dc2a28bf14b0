using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Ports;

/// <summary>
/// A person's decision on a proposal, from any channel (DingTalk tap, REST API, scalectl). <see cref="HalfStep"/>
/// approves the proposal's own alternative (the card's half-step button). <see cref="AwaitOutcome"/>: answer once the
/// approved change is applied (API, CLI); otherwise answer as soon as the approval is recorded durably and let the
/// apply run behind it (a DingTalk tap must be answered within 2 s). <see cref="AllRows"/>: a group card's
/// "Approve all" / "Reject all", the decision applies to every open row sharing the proposal's card. <see cref="Row"/>:
/// a group card's per-row button, the decision applies to that row (<c>namespace/proposal</c>) only if it is on the
/// proposal's card. <see cref="SeenRows"/>: with <see cref="AllRows"/>, the rows and targets the person saw (the
/// card's Approve all; the rows whose namespaces chat and the API checked): only those are decided, each approved up
/// to what was seen, and a row not seen stays pending; null decides every open row (a card's Reject all).
/// </summary>
public sealed record ApprovalCommand(
    string Namespace,
    string ProposalName,
    string User,
    ApprovalChannel Channel,
    bool Approve,
    int? Replicas = null,
    string? Reason = null,
    bool HalfStep = false,
    bool AwaitOutcome = true,
    bool AllRows = false,
    string? Row = null,
    IReadOnlyDictionary<string, int>? SeenRows = null);

public enum ApprovalResultKind
{
    /// <summary>Counted; the proposal may now be Approved/Applied or still waiting for more approvals.</summary>
    Accepted,

    /// <summary>The same person already approved; nothing changed.</summary>
    Duplicate,

    /// <summary>Not allowed (not an approver, expired, already decided, requester approving own override...).</summary>
    Refused,

    NotFound,
}

public sealed record ApprovalResult(ApprovalResultKind Kind, string Message, ScaleProposal? Proposal)
{
    /// <summary>With <see cref="ApprovalCommand.AllRows"/>: each pending row as it was, and what became of it, in the card's order; null otherwise.</summary>
    public IReadOnlyList<CardRowResult>? Rows { get; init; }
}

/// <summary>One row of a group card decided by "Approve all" / "Reject all": the row as it was before, and its own result.</summary>
public sealed record CardRowResult(ScaleProposal Row, ApprovalResult Result);

/// <summary>Where every approval and rejection enters, whatever the channel; implemented by the control service.</summary>
public interface IApprovalInbox
{
    Task<ApprovalResult> DecideAsync(ApprovalCommand command, CancellationToken cancellationToken);
}
