using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// One tick's view of the stored proposals, by target (<see cref="ProposalRules.TargetKey"/>): the newest open one,
/// the ones a person refused (each may hold new proposals back) and the automatic changes applied (the
/// cumulative Hybrid allowance counts them), the latest applied change (a hot event is remembered by it) and the
/// newest finished return to normal (<see cref="ReturnToNormalRules"/>). A rejection ScaleControl did not record (a
/// <c>Rejected</c> status written by hand) keeps its proposal stopped but is no refusal here: nobody on the roster may
/// have said it, so it holds no new proposal back (<see cref="ProposalRules.Hold"/>) and the need gets a new card.
/// </summary>
public sealed class ProposalBoard
{
    private readonly Dictionary<string, List<ScaleProposal>> _refused;
    private readonly Dictionary<string, List<ScaleChange>> _automatic;
    private readonly Dictionary<string, ScaleProposal> _refresh = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScaleProposal> _lastApplied = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ScaleProposal> _lastReturn = new(StringComparer.Ordinal);

    private ProposalBoard(IReadOnlyCollection<ScaleProposal> listed, Dictionary<string, ScaleProposal> open, Dictionary<string, List<ScaleProposal>> refused, Dictionary<string, List<ScaleChange>> automatic)
    {
        Listed = listed;
        Open = open;
        _refused = refused;
        _automatic = automatic;
    }

    /// <summary>The target's change applied last (any kind), if one is still retained.</summary>
    public ScaleProposal? LastApplied(string targetKey) => _lastApplied.GetValueOrDefault(targetKey);

    /// <summary>The target's newest finished return-to-normal proposal, if any.</summary>
    public ScaleProposal? LastReturn(string targetKey) => _lastReturn.GetValueOrDefault(targetKey);

    /// <summary>Records a change applied during the tick, so the rest of the tick reads the workload's latest change.</summary>
    public void Applied(string targetKey, ScaleProposal applied)
    {
        if (applied.Status.Phase == ProposalPhase.Applied)
        {
            _lastApplied[targetKey] = applied;
        }
    }

    public Dictionary<string, ScaleProposal> Open { get; }

    /// <summary>Every stored proposal, as the tick listed them (<see cref="AppliedChangeSync"/> reads their applied changes).</summary>
    public IReadOnlyCollection<ScaleProposal> Listed { get; }

    /// <summary>Cards whose rows changed this tick, by card: the newest changed row of each.</summary>
    public IEnumerable<ScaleProposal> CardsToRefresh => _refresh.Values;

    /// <summary>Marks <paramref name="row"/>'s card for one update at the end of the tick.</summary>
    public void RefreshCard(ScaleProposal row) => _refresh[row.Status.Card?.OutTrackId ?? row.Key] = row;

    /// <summary>A proposal closed during the tick: no longer the target's open one, and its card updated at the end of the tick.</summary>
    public void Closed(ScaleProposal closed)
    {
        var key = ProposalRules.TargetKey(ProposalFactory.TargetOf(closed));
        if (Open.TryGetValue(key, out var open) && open.Key == closed.Key)
        {
            Open.Remove(key);
        }

        RefreshCard(closed);
    }

    /// <summary>The target's newest proposal a person refused, if any.</summary>
    public ScaleProposal? Refused(string targetKey) => _refused.TryGetValue(targetKey, out var list) ? list[0] : null;

    /// <summary>
    /// The newest of the target's refusals that holds <paramref name="decision"/> back (<see cref="ProposalRules.Hold"/>).
    /// Every "no" within its back-off counts, not only the newest: live, zhangsan rejected 16 → 25, then undid the
    /// 6 → 16 before it, and the undo (sized for 16) let a card ask 6 → 26 four seconds later, within the 25 just rejected.
    /// </summary>
    public RefusalHold? Hold(string targetKey, ScalePolicy policy, Decision decision, DateTimeOffset now) =>
        _refused.TryGetValue(targetKey, out var list)
            ? list.Select(refused => ProposalRules.Hold(refused, policy, decision, now)).FirstOrDefault(hold => hold is not null)
            : null;

    public IReadOnlyList<ScaleChange> Automatic(string targetKey) => _automatic.TryGetValue(targetKey, out var list) ? list : [];

    /// <summary>Records an automatic change made during the tick, so a second policy on the same target sees it.</summary>
    public void AddAutomatic(string targetKey, ScaleChange change)
    {
        if (!_automatic.TryGetValue(targetKey, out var list))
        {
            list = [];
            _automatic[targetKey] = list;
        }

        list.Add(change);
    }

    private void Remember(string key, ScaleProposal p)
    {
        if (p.Status is { Phase: ProposalPhase.Applied, AppliedAt: { } at }
            && (!_lastApplied.TryGetValue(key, out var seen) || at > seen.Status.AppliedAt))
        {
            _lastApplied[key] = p;
        }

        if (!p.Status.Phase.IsOpen() && ReturnToNormalRules.IsReturn(p)
            && (!_lastReturn.TryGetValue(key, out var newest) || ProposalFactory.CreatedAt(p) > ProposalFactory.CreatedAt(newest)))
        {
            _lastReturn[key] = p;
        }
    }

    /// <param name="rejectionRecorded">Whether ScaleControl recorded a proposal's rejection (its seal verifies).</param>
    public static ProposalBoard From(IReadOnlyCollection<ScaleProposal> proposals, Func<ScaleProposal, RejectionRecord, bool> rejectionRecorded)
    {
        var open = new Dictionary<string, ScaleProposal>(StringComparer.Ordinal);
        var refused = new Dictionary<string, List<ScaleProposal>>(StringComparer.Ordinal);
        var automatic = new Dictionary<string, List<ScaleChange>>(StringComparer.Ordinal);
        var board = new ProposalBoard(proposals, open, refused, automatic);
        foreach (var p in proposals)
        {
            var key = ProposalRules.TargetKey(ProposalFactory.TargetOf(p));
            board.Remember(key, p);
            if (p.Status.Phase.IsOpen())
            {
                if (!open.TryGetValue(key, out var seen) || ProposalFactory.CreatedAt(p) > ProposalFactory.CreatedAt(seen))
                {
                    open[key] = p;
                }
            }
            else if (ProposalRules.RefusedAt(p) is not null && (p.Status is not { Phase: ProposalPhase.Rejected, Rejection: { } rejection } || rejectionRecorded(p, rejection)))
            {
                if (!refused.TryGetValue(key, out var list))
                {
                    list = [];
                    refused[key] = list;
                }

                list.Add(p);
            }
            else if (p.Status is { Phase: ProposalPhase.Applied, AppliedAt: { } appliedAt, AppliedReplicas: { } to }
                     && ProposalFactory.ActionOf(p) == ProposalFactory.Action.Auto)
            {
                if (!automatic.TryGetValue(key, out var list))
                {
                    list = [];
                    automatic[key] = list;
                }

                list.Add(new ScaleChange(appliedAt, p.Spec.FromReplicas, to));
            }
        }

        foreach (var list in refused.Values)
        {
            list.Sort((a, b) => ProposalRules.RefusedAt(b)!.Value.CompareTo(ProposalRules.RefusedAt(a)!.Value)); // newest first
        }

        return board;
    }
}
