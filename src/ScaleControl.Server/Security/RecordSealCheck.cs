using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>
/// The host's answer to <see cref="IRecordSeals"/>: the DingTalk card marks an approval or a rejection ScaleControl did not
/// record with the words the history, the proposal's view and chat use (<see cref="UnverifiedWording"/>), and sizes the
/// step from the recorded approvals only, as the applier does (<see cref="ApprovalVerification.Recorded"/>).
/// </summary>
public sealed class RecordSealCheck(ApprovalSigner signer) : IRecordSeals
{
    public RecordDoubts Of(ScaleProposal proposal)
    {
        var verification = ProposalVerification.Of(proposal, signer);
        return new([.. verification.Approvals.Select(Doubt)], Doubt(verification.Rejection));
    }

    private static string? Doubt(RecordVerification? record) => record?.Reason is { } why ? UnverifiedWording.Mark(why) : null;
}
