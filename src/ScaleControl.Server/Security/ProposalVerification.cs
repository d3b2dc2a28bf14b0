using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>
/// Whether ScaleControl recorded each approval and the rejection on a proposal (<see cref="ApprovalSigner"/>), in the
/// order of the proposal's own lists: the proposal page and <c>scalectl describe proposal</c> mark a claim as the history
/// does, with its words (<see cref="UnverifiedWording"/>), without checking seals themselves (they cannot: the key is the server's).
/// </summary>
/// <param name="Approvals">One per <c>status.approvals</c>, in order.</param>
/// <param name="AppliedSteps">One list per <c>status.appliedSteps</c>, one entry per approval of that step.</param>
/// <param name="Rejection">For <c>status.rejection</c>; null when there is none.</param>
public sealed record ProposalVerification(
    IReadOnlyList<RecordVerification> Approvals,
    IReadOnlyList<IReadOnlyList<RecordVerification>> AppliedSteps,
    RecordVerification? Rejection)
{
    public static ProposalVerification Of(ScaleProposal proposal, ApprovalSigner signer)
    {
        RecordVerification Approval(ApprovalRecord a) => RecordVerification.For(a.User, UnverifiedWording.Approval(signer.Check(proposal, a), a.Asked));
        return new(
            [.. proposal.Status.Approvals.Select(Approval)],
            [.. proposal.Status.AppliedSteps.Select(s => (IReadOnlyList<RecordVerification>)[.. s.Approvals.Select(Approval)])],
            proposal.Status.Rejection is { } r ? RecordVerification.For(r.User, UnverifiedWording.Rejection(signer.CheckRejection(proposal, r))) : null);
    }
}

/// <summary>
/// One record's verification: who it names, whether it is a claim ScaleControl did not record, why, and the person as the
/// page and scalectl list them (<c>"lisi (unverified: no signature: …)"</c>, or just <c>"lisi"</c>).
/// </summary>
public sealed record RecordVerification(string User, bool Unverified, string? Reason, string Label)
{
    public static RecordVerification For(string user, string? why) =>
        new(user, why is not null, why, why is null ? user : $"{user} ({UnverifiedWording.Mark(why)})");
}
