using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.Api;

/// <summary>
/// <c>GET /api/v1/proposals/{ns}/{name}</c>: the ScaleProposal as stored, and beside it whether ScaleControl recorded each
/// of its approvals and its rejection (<see cref="ProposalVerification"/>), which only the server can check.
/// </summary>
public sealed record ProposalView(string ApiVersion, string Kind, ObjectMeta Metadata, ScaleProposalSpec Spec, ScaleProposalStatus Status, ProposalVerification Verification)
{
    public static ProposalView Of(ScaleProposal proposal, ApprovalSigner signer) =>
        new(proposal.ApiVersion, proposal.Kind, proposal.Metadata, proposal.Spec, proposal.Status, ProposalVerification.Of(proposal, signer));
}
