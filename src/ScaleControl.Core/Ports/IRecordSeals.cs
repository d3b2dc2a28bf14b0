using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Ports;

/// <summary>
/// Which approvals and which rejection on a proposal ScaleControl recorded. Only the host can tell (it holds the seal's
/// key), so a renderer outside it — the DingTalk card — asks here and marks a claim with the host's words instead of
/// checking seals itself.
/// </summary>
public interface IRecordSeals
{
    RecordDoubts Of(ScaleProposal proposal);
}

/// <summary>
/// Why records on a proposal are claims, not facts, as the host words them (<c>"unverified: no signature: …"</c>); null
/// for a record ScaleControl recorded.
/// </summary>
/// <param name="Approvals">One per <c>status.approvals</c>, in order.</param>
/// <param name="Rejection">For <c>status.rejection</c>; null when ScaleControl recorded it or there is none.</param>
public sealed record RecordDoubts(IReadOnlyList<string?> Approvals, string? Rejection)
{
    /// <summary>Nothing doubted: what a renderer assumes when no host checks the seals (a DingTalk adapter on its own).</summary>
    public static RecordDoubts None { get; } = new([], null);

    /// <summary>Why <paramref name="approval"/> of <paramref name="proposal"/> is unverified; null when ScaleControl recorded it.</summary>
    public string? Approval(ScaleProposal proposal, ApprovalRecord approval)
    {
        var index = IndexOf(proposal.Status.Approvals, approval);
        return index >= 0 && index < Approvals.Count ? Approvals[index] : null;
    }

    /// <summary>Whether ScaleControl recorded <paramref name="approval"/>: only those size the step (<see cref="ProposalLifecycle.ApprovedReplicas(ScaleProposal, Func{ApprovalRecord, bool})"/>).</summary>
    public Func<ApprovalRecord, bool> Recorded(ScaleProposal proposal) => approval => Approval(proposal, approval) is null;

    private static int IndexOf(IReadOnlyList<ApprovalRecord> approvals, ApprovalRecord approval)
    {
        for (var i = 0; i < approvals.Count; i++)
        {
            if (ReferenceEquals(approvals[i], approval) || approvals[i] == approval)
            {
                return i;
            }
        }

        return -1;
    }
}
