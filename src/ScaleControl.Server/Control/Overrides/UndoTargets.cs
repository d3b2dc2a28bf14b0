using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// What <c>undo ns/name</c> means, in chat, scalectl and the API alike: the proposal of that name, else the newest
/// applied change of the workload of that name. Named by the workload, a newest change that is itself an undo is not
/// undone again (sent twice, the second took the first back and the workload went up again): its own name says so.
/// </summary>
public static class UndoTargets
{
    /// <param name="Proposal">The change meant; null when neither a proposal nor a workload's applied change has the name.</param>
    /// <param name="ByWorkload">The name was the workload's, not the proposal's.</param>
    public sealed record Target(ScaleProposal? Proposal, bool ByWorkload)
    {
        /// <summary>Named by the workload, and its newest change is an undo: refuse rather than take that undo back.</summary>
        public bool IsAnUndo => ByWorkload && Proposal is { } p && ProposalFactory.ActionOf(p) == ProposalFactory.Action.Undo;

        /// <summary>
        /// The undo that is the workload's newest change, in words: "16 → 6 by zhangsan at 2026-12-07 09:02:10Z (of
        /// checkout-api-…)", the undone change's name between <paramref name="quote"/>s (chat: a code span).
        /// </summary>
        public string UndoText(string quote = "") => Proposal is not { } p ? "" :
            $"{p.Spec.FromReplicas} → {p.Spec.ToReplicas} by {p.Spec.RequestedBy} at {p.Status.AppliedAt:u} (of {quote}{p.Metadata.Annotations?.GetValueOrDefault(ProposalFactory.UndoOfAnnotation) ?? "?"}{quote})";
    }

    public static async Task<Target> FindAsync(IProposalStore proposals, string ns, string name, CancellationToken cancellationToken)
    {
        if (await proposals.GetAsync(ns, name, cancellationToken) is { } named)
        {
            return new Target(named, ByWorkload: false);
        }

        var latest = (await proposals.ListAsync(ns, cancellationToken))
            .Where(p => p.Spec.Target.Name == name && p.Status.Phase == ProposalPhase.Applied)
            .OrderByDescending(p => p.Status.AppliedAt)
            .ThenBy(p => p.Status.Undo is not null) // applied the same instant, an undone change came before its undo
            .FirstOrDefault();
        return new Target(latest, ByWorkload: latest is not null);
    }
}
