using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// What a <c>follow</c> policy's leader wants, for one tick: the decision of a policy on the leader taken earlier in
/// the same tick (the loop evaluates leaders first), else that policy's last decision, else the leader's current
/// replicas. A missing leader or a follow cycle is a problem the engine fails static on, never a number. A leader in
/// mode Observe decides what it would run: an Observe follower follows that (the shadow of the whole chain), an acting
/// follower what the leader runs, never a count nobody wrote.
/// </summary>
public sealed class LeaderReadings(IWorkloadClient workloads, PolicyRuntimes runtimes)
{
    /// <summary>
    /// The tick's decisions so far, by workload key (<see cref="FollowGraph.TargetKey"/>). Only the decisions of
    /// workloads some policy of the tick follows are kept: nothing else is asked, and a fleet without <c>follow</c>
    /// then builds no key per evaluation.
    /// </summary>
    public sealed class Tick(IReadOnlyList<ScalePolicy> policies)
    {
        private readonly Dictionary<string, (int Desired, int Running)> _decided = new(StringComparer.Ordinal);
        private HashSet<string>? _leaders;

        public IReadOnlyList<ScalePolicy> Policies => policies;

        /// <param name="running">What the workload runs: what an acting follower of an Observe leader follows.</param>
        public void Decided(ScalePolicy policy, int desired, int running)
        {
            _leaders ??= LeadersOf(policies);
            if (_leaders.Count > 0 && FollowGraph.TargetKey(policy) is var key && _leaders.Contains(key))
            {
                _decided[key] = (desired, running);
            }
        }

        public int? DecidedFor(string workloadKey) => _decided.TryGetValue(workloadKey, out var decided) ? decided.Desired : null;

        /// <summary>What the leader's workload ran when its policy decided this tick (null: not decided yet).</summary>
        public int? RunningFor(string workloadKey) => _decided.TryGetValue(workloadKey, out var decided) ? decided.Running : null;

        private static HashSet<string> LeadersOf(IReadOnlyList<ScalePolicy> policies)
        {
            var leaders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var policy in policies)
            {
                if (FollowGraph.LeaderKey(policy) is { } leader)
                {
                    leaders.Add(leader);
                }
            }

            return leaders;
        }
    }

    public async Task<LeaderReading?> ReadAsync(ScalePolicy policy, Tick tick, CancellationToken cancellationToken)
    {
        if (policy.Spec.Follow is not { } follow || FollowGraph.LeaderKey(policy) is not { } leaderKey)
        {
            return null;
        }

        var name = follow.LeaderKey(policy.Metadata.Namespace);
        if (FollowGraph.CycleWith(tick.Policies, policy) is { } cycle)
        {
            return LeaderReading.Missing(name, $"follow cycle {cycle}");
        }

        var leaderPolicy = tick.Policies.FirstOrDefault(p => FollowGraph.TargetKey(p) == leaderKey);
        var shadowOnly = leaderPolicy is not null && ObserveMode.Observes(leaderPolicy.Spec) && !ObserveMode.Observes(policy.Spec);
        if (tick.DecidedFor(leaderKey) is { } decided)
        {
            return shadowOnly ? new LeaderReading(name, tick.RunningFor(leaderKey) ?? decided, "current") : new LeaderReading(name, decided, "decision");
        }

        if (!shadowOnly && leaderPolicy is not null && runtimes.Find(leaderPolicy.Metadata.Namespace, leaderPolicy.Metadata.Name)?.LastDesired is { } desired)
        {
            return new LeaderReading(name, desired, "decision");
        }

        var slash = name.IndexOf('/');
        var state = await workloads.GetAsync(new WorkloadRef(name[..slash], follow.Kind, name[(slash + 1)..]), cancellationToken);
        return state is null
            ? LeaderReading.Missing(name, $"leader {follow.Kind} {name} not found")
            : new LeaderReading(name, state.SpecReplicas, "current");
    }
}
