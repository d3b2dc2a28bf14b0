namespace ScaleControl.Core.Proposals;

public static class ProposalPhases
{
    /// <summary>Still in play: waiting for approvals, approved, or being applied.</summary>
    public static bool IsOpen(this ProposalPhase phase) => !ProposalLifecycle.IsFinal(phase);

    /// <summary>The new proposal when the lifecycle accepted the step; null when it refused (nothing to write).</summary>
    public static ScaleProposal? IfAccepted(this TransitionResult result) => result.Accepted ? result.Proposal : null;
}
