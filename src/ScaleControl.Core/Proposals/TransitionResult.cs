using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

public enum TransitionStatus
{
    /// <summary>The transition happened; <see cref="TransitionResult.Proposal"/> is the new state.</summary>
    Accepted,

    /// <summary>Nothing to do: it already happened (same person approving twice). The proposal is unchanged.</summary>
    Duplicate,

    /// <summary>Not allowed; <see cref="TransitionResult.Message"/> says why. The proposal is unchanged.</summary>
    Refused,
}

/// <summary>The outcome of a lifecycle step: a new proposal, or the unchanged one with the reason.</summary>
public sealed record TransitionResult(TransitionStatus Status, ScaleProposal Proposal, string Message)
{
    public bool Accepted => Status == TransitionStatus.Accepted;

    /// <summary>The same outcome in the shape the approval inbox returns to DingTalk, the API and scalectl.</summary>
    public ApprovalResult ToApprovalResult() => new(
        Status switch
        {
            TransitionStatus.Accepted => ApprovalResultKind.Accepted,
            TransitionStatus.Duplicate => ApprovalResultKind.Duplicate,
            _ => ApprovalResultKind.Refused,
        },
        Message,
        Proposal);

    internal static TransitionResult Ok(ScaleProposal proposal, string message) => new(TransitionStatus.Accepted, proposal, message);

    internal static TransitionResult Same(ScaleProposal proposal, string message) => new(TransitionStatus.Duplicate, proposal, message);

    internal static TransitionResult No(ScaleProposal proposal, string message) => new(TransitionStatus.Refused, proposal, message);
}
