namespace ScaleControl.Core.Proposals;

/// <summary>
/// What a proposal asked when an approval was recorded: the step and the approvals it needed. The approval keeps it
/// (<see cref="ApprovalRecord.Asked"/>) and its seal covers it, so the seal still checks after the proposal changed in
/// place — amended while it waited, or its approved part applied — and says which ask the approver saw.
/// </summary>
public sealed record AskedStep
{
    public int From { get; init; }
    public int To { get; init; }
    public int? Alternative { get; init; }
    public int RequiredApprovals { get; init; }
    public bool RequiresTwoPersons { get; init; }

    public static AskedStep Of(ScaleProposalSpec spec) => new()
    {
        From = spec.FromReplicas,
        To = spec.ToReplicas,
        Alternative = spec.AlternativeReplicas,
        RequiredApprovals = spec.RequiredApprovals,
        RequiresTwoPersons = spec.RequiresTwoPersons,
    };

    /// <summary>Whether the proposal asks this now.</summary>
    public bool IsAskedNowBy(ScaleProposal proposal) => this == Of(proposal.Spec);

    /// <summary>
    /// Whether the proposal's own record says it asked this before: it started from a count its applied parts started
    /// from (or starts from now), for a target an amendment replaced (or the target now). A step it never asked — its
    /// spec edited by hand, so that an approval of 11 → 12 sits on a proposal of 11 → 35 — is not.
    /// </summary>
    public bool WasAskedBy(ScaleProposal proposal)
    {
        var spec = proposal.Spec;
        var status = proposal.Status;
        var from = From == spec.FromReplicas || status.AppliedSteps.Any(s => s.From == From);
        var to = To == spec.ToReplicas || status.Amendments.Any(a => a.FromTarget == To);
        return from && to && !IsAskedNowBy(proposal);
    }
}
