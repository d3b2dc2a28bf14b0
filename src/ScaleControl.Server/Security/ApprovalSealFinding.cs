using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>What checking an approval's seal found (<see cref="ApprovalSigner.Check"/>): the history says which; counting needs only <see cref="ApprovalSeal"/>.</summary>
public enum ApprovalSealFinding
{
    /// <summary>Recorded by ScaleControl for what the proposal asks now.</summary>
    ThisAsk,

    /// <summary>Recorded by ScaleControl for what the proposal asked before it was amended or a part was applied: genuine, for another step.</summary>
    EarlierAsk,

    /// <summary>No signature: written by hand.</summary>
    Unsigned,

    /// <summary>A signature that is not ScaleControl's for this proposal, approver and approval (copied, edited, or a retired key's).</summary>
    NotMatching,

    /// <summary>ScaleControl's seal, for a step this proposal's record never asked: its spec was changed by hand since the approval.</summary>
    NeverAsked,

    /// <summary>
    /// Sealed before approvals kept what they approved, on a proposal that changed in place since: the spec it was
    /// sealed over is gone, so it cannot be checked (the history marks it unverified; it does not count, as before).
    /// </summary>
    Unverifiable,
}

public static class ApprovalSealFindings
{
    /// <summary>What the finding means for counting: only ScaleControl's own records count, and only for the ask they approved.</summary>
    public static ApprovalSeal Seal(this ApprovalSealFinding finding) => finding switch
    {
        ApprovalSealFinding.ThisAsk => ApprovalSeal.ThisAsk,
        ApprovalSealFinding.EarlierAsk => ApprovalSeal.EarlierAsk,
        _ => ApprovalSeal.NotRecorded,
    };

    /// <summary>Whether ScaleControl recorded the approval (for this ask or an earlier one of the same proposal).</summary>
    public static bool IsGenuine(this ApprovalSealFinding finding) => finding is ApprovalSealFinding.ThisAsk or ApprovalSealFinding.EarlierAsk;
}
