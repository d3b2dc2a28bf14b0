using System.Runtime.InteropServices;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// Any replica may apply a scale (a tap over Stream, an approval, pin or undo through the API), and it records the
/// change in its own memory; only the leader's loop decides. So on every tick the leader adds to each policy's history
/// the applied changes of the ScaleProposals it does not hold yet (<see cref="AppliedChanges"/>): cooldowns, step
/// limits, the change budget and the swing rules count every change, wherever it was applied. A change this replica
/// applied itself is held already under the same source and is not counted twice.
/// Cheap on the tick: a proposal is looked at again only when its count of applied changes grew.
/// </summary>
public sealed class AppliedChangeSync(PolicyRuntimes runtimes, ILogger<AppliedChangeSync> logger)
{
    /// <summary>Per proposal (namespace, name): how many applied changes it had when last looked at, and the pass that last listed it.</summary>
    private readonly Dictionary<(string Namespace, string Name), (int Changes, long Pass)> _seen = [];
    private long _pass;

    /// <summary>
    /// Learns the changes of <paramref name="proposals"/> (the tick's listing) applied since the last pass. Call after
    /// the due policies' runtimes exist; a policy without one learns its past when it gets one (<see cref="HistoryBackfill"/>).
    /// </summary>
    /// <returns>How many changes were new to the histories.</returns>
    public int Learn(IReadOnlyCollection<ScaleProposal> proposals, IReadOnlyDictionary<string, ScalePolicy> policies, DateTimeOffset now)
    {
        var pass = ++_pass;
        var listed = 0;
        var learned = 0;
        foreach (var proposal in proposals)
        {
            var count = AppliedChanges.Count(proposal);
            if (count == 0)
            {
                continue;
            }

            listed++;
            ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_seen, (proposal.Metadata.Namespace, proposal.Metadata.Name), out _);
            var changed = count != seen.Changes;
            seen = (count, pass);
            if (changed)
            {
                learned += Learn(proposal, policies, now);
            }
        }

        if (_seen.Count > listed)
        {
            Forget(pass); // proposals deleted (retention) since the last pass
        }

        return learned;
    }

    private int Learn(ScaleProposal proposal, IReadOnlyDictionary<string, ScalePolicy> policies, DateTimeOffset now)
    {
        var @namespace = proposal.Metadata.Namespace;
        if (runtimes.Find(@namespace, proposal.Spec.PolicyName) is not { } runtime
            || !policies.TryGetValue($"{@namespace}/{proposal.Spec.PolicyName}", out var policy)
            || proposal.Status.AppliedAt < PolicyHistory.ChangesKeptFrom(now, DecisionRecorder.Retention(policy.Spec)))
        {
            return 0; // no such policy (any more), or every change is older than its history keeps
        }

        int added;
        lock (runtime.Gate)
        {
            added = runtime.History.RecordChanges(AppliedChanges.Of(proposal), policy.Spec, now);
        }

        if (added > 0)
        {
            logger.AppliedChangesLearned(added, @namespace, proposal.Spec.PolicyName, proposal.Metadata.Name);
        }

        return added;
    }

    private void Forget(long pass)
    {
        foreach (var (key, seen) in _seen)
        {
            if (seen.Pass != pass)
            {
                _seen.Remove(key);
            }
        }
    }
}
