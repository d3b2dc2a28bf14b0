using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Auth;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Deciding a group card whole ("approve all" from chat, <c>allRows</c> from the API and scalectl): which card a name
/// means, whether the caller may act where its rows are, and how many rows still wait after one was decided alone.
/// </summary>
public static class CardRows
{
    /// <summary>
    /// The proposal named <paramref name="name"/>, else the workload's newest pending one; for a whole card also its
    /// newest one on a card, since the workload's own row may be decided already (the single decision's answer names it).
    /// </summary>
    public static async Task<ScaleProposal?> FindAsync(IProposalStore store, string ns, string name, bool wholeCard, CancellationToken cancellationToken) =>
        await store.GetAsync(ns, name, cancellationToken)
        ?? (await store.ListAsync(ns, cancellationToken))
            .Where(p => p.Spec.Target.Name == name && (p.Status.Phase == ProposalPhase.Pending || (wholeCard && p.Status.Card is not null)))
            .OrderByDescending(p => p.Status.Phase == ProposalPhase.Pending)
            .ThenByDescending(ProposalFactory.CreatedAt)
            .FirstOrDefault();

    /// <summary>
    /// The workload's newest proposal when it no longer waits and a person decided it, with who (<c>approved by zhangsan</c>,
    /// <c>rejected by lisi</c>): an approve by workload that lost the race to a card tap says so, in chat and the API alike,
    /// not "no such proposal". Null when the workload has none, or its newest waits or was decided by no person.
    /// </summary>
    public static async Task<(ScaleProposal Proposal, string By)?> DecidedAsync(IProposalStore store, string ns, string workload, CancellationToken cancellationToken)
    {
        var newest = (await store.ListAsync(ns, cancellationToken))
            .Where(p => p.Spec.Target.Name == workload)
            .OrderByDescending(ProposalFactory.CreatedAt)
            .FirstOrDefault();
        var by = newest is null ? null : ProposalLifecycle.DecidedBy(newest);
        return newest is null || by is null || newest.Status.Phase == ProposalPhase.Pending ? null : (newest, by);
    }

    /// <summary>The card's pending rows, oldest first.</summary>
    public static async Task<IReadOnlyList<ScaleProposal>> PendingAsync(Announcer announcer, ScaleProposal proposal, CancellationToken cancellationToken) =>
        [.. (await announcer.CardRowsAsync(proposal, cancellationToken)).Where(p => p.Status.Phase == ProposalPhase.Pending)];

    /// <summary>The first namespace of <paramref name="rows"/> the caller may not act in (a card's rows may span namespaces); null when none.</summary>
    public static string? Outside(IEnumerable<ScaleProposal> rows, Caller? caller) =>
        rows.Select(r => r.Metadata.Namespace).Distinct(StringComparer.Ordinal).FirstOrDefault(n => caller?.CanActIn(n) != true);

    /// <summary>
    /// The rows the caller was checked for, as the decision's <see cref="ApprovalCommand.SeenRows"/>: a row that joins the
    /// card between the check and the decision stays pending instead of being decided without its namespace's check.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Checked(IEnumerable<ScaleProposal> rows) =>
        rows.ToDictionary(r => r.Key, r => r.Spec.ToReplicas, StringComparer.Ordinal);

    /// <summary>How many other rows of <paramref name="decided"/>'s card still wait for a decision.</summary>
    public static async Task<int> OthersWaitingAsync(Announcer announcer, ScaleProposal decided, CancellationToken cancellationToken) =>
        (await PendingAsync(announcer, decided, cancellationToken)).Count(p => p.Key != decided.Key);
}
