using ScaleControl.Core.Decisions;
using ScaleControl.Core.Pods;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Control.Queries;

/// <summary>A metric now; <see cref="Target"/> and <see cref="TargetType"/> from its spec give the value a scale (policies name no unit).</summary>
public sealed record MetricStatusView(string Name, double? Value, double? Predicted, string Status, string? Problem, double? Target = null, MetricTargetType? TargetType = null);

public sealed record PolicyStatusView(
    string Namespace,
    string Name,
    TargetRef Target,
    ScaleMode Mode,
    int? CurrentReplicas,
    int? ReadyReplicas,
    int? DesiredReplicas,
    IReadOnlyList<MetricStatusView> Metrics,
    string? LastReason,
    DateTimeOffset? FrozenUntil,
    DateTimeOffset? PinnedUntil,
    int? PinnedReplicas,
    string? OpenProposal,
    DateTimeOffset? LastEvaluation,
    string? Held = null,
    string? HeldBy = null,
    int? UnheldReplicas = null,
    LeadingSignalStatus? LeadingSignal = null,
    NotReadyPods? NotReady = null,
    int? OpenProposalTo = null,
    ObservationStatus? Observation = null);

public sealed record StatusView(
    string Mode,
    string Identity,
    string? Leader,
    bool IsLeader,
    DateTimeOffset? LastTick,
    IReadOnlyList<PolicyStatusView> Policies,
    IReadOnlyList<string>? Namespaces = null,
    IReadOnlyList<UnseenProposalView>? Unseen = null);

/// <summary>
/// Builds <c>/status</c> from the store, the loop's memory of each policy and leadership; <c>namespaces</c> lists the
/// namespaces the server is restricted to (absent: all). A policy the loop has no memory of here (on a follower, which
/// does not evaluate, or before its first evaluation) shows the replicas the workload cache holds now, not only the
/// ones its stored status last recorded. A policy whose READY is below CURRENT says why (<see cref="NotReadyPodsReader"/>).
/// </summary>
public sealed class StatusService(
    IPolicyStore policies,
    IProposalStore proposals,
    PolicyRuntimes runtimes,
    Reconciler reconciler,
    IWorkloadClient workloads,
    NotReadyPodsReader notReady,
    ILeadership leadership,
    ServerModeInfo mode,
    WatchedNamespaces watched,
    TimeProvider time)
{
    public async Task<StatusView> GetAsync(CancellationToken cancellationToken)
    {
        var all = await policies.ListAsync(null, cancellationToken);
        var open = (await proposals.ListAsync(null, cancellationToken)).Where(p => p.Status.Phase.IsOpen()).ToList();
        var now = time.GetUtcNow();
        var ordered = all.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var views = new List<PolicyStatusView>(all.Count);
        using var budget = new CancellationTokenSource(WorkloadReadBudget, time);
        using var reads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        foreach (var policy in ordered)
        {
            var runtime = runtimes.Find(policy.Metadata.Namespace, policy.Metadata.Name);
            var last = runtime?.Last;
            var workload = last is null && !reads.IsCancellationRequested ? await WorkloadOrNullAsync(policy, reads.Token, cancellationToken) : null;
            var observation = ObserveMode.Observes(policy.Spec) ? runtime?.Observation ?? policy.Status?.Observation : null;
            views.Add(View(policy, last, workload, open, now) with { Observation = observation });
        }

        using var podBudget = new CancellationTokenSource(PodReadBudget, time);
        using var podReads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, podBudget.Token);
        var explained = await Task.WhenAll(ordered.Select((policy, i) => NotReadyOrNullAsync(policy, views[i], podReads.Token, cancellationToken)));
        for (var i = 0; i < views.Count; i++)
        {
            if (explained[i] is { } why)
            {
                views[i] = views[i] with { NotReady = why };
            }
        }

        return new StatusView(
            mode.Mode.ToString().ToLowerInvariant(),
            leadership.Identity,
            leadership.CurrentLeader,
            leadership.IsLeader,
            reconciler.LastTick,
            views,
            watched.IsAll ? null : watched.Names,
            UnseenProposals.Of(open, now));
    }

    /// <summary>
    /// How long one status may wait for workload caches that are still making their first list (each read waits up
    /// to the client's request timeout): after it, the rest show their stored status.
    /// </summary>
    public static readonly TimeSpan WorkloadReadBudget = TimeSpan.FromSeconds(2);

    /// <summary>How long one status may wait for the pod lists that say why pods are not ready: after it, those show without.</summary>
    public static readonly TimeSpan PodReadBudget = TimeSpan.FromSeconds(2);

    /// <summary>Why READY is below CURRENT; null when all are ready, or when the pods could not be listed in time.</summary>
    private async Task<NotReadyPods?> NotReadyOrNullAsync(ScalePolicy policy, PolicyStatusView view, CancellationToken reads, CancellationToken request)
    {
        try
        {
            return await notReady.ExplainAsync(ProposalFactory.TargetOf(policy), view.CurrentReplicas, view.ReadyReplicas, reads);
        }
        catch (OperationCanceledException) when (!request.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The workload as the cache holds it; null when it cannot be read now (status answers regardless).</summary>
    private async Task<WorkloadState?> WorkloadOrNullAsync(ScalePolicy policy, CancellationToken reads, CancellationToken request)
    {
        try
        {
            return await workloads.GetAsync(ProposalFactory.TargetOf(policy), reads);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !request.IsCancellationRequested)
        {
            return null;
        }
    }

    private static PolicyStatusView View(ScalePolicy policy, EvaluationRecord? last, WorkloadState? workload, IReadOnlyList<ScaleProposal> open, DateTimeOffset now)
    {
        var freeze = policy.Spec.Freeze is { } f && f.Until > now ? f : null;
        var pin = policy.Spec.Pin is { } p && p.Until > now ? p : null;
        var proposal = open.FirstOrDefault(o => o.Metadata.Namespace == policy.Metadata.Namespace && o.Spec.Target.Name == policy.Spec.Target.Name);
        return new PolicyStatusView(
            policy.Metadata.Namespace,
            policy.Metadata.Name,
            policy.Spec.Target,
            policy.Spec.Mode,
            last?.CurrentReplicas ?? workload?.SpecReplicas ?? policy.Status?.CurrentReplicas,
            last?.ReadyReplicas ?? workload?.ReadyReplicas,
            last?.DesiredReplicas ?? policy.Status?.DesiredReplicas,
            last?.Metrics.Select(m => Metric(m, policy.Spec.Metrics.FirstOrDefault(s => s.Name == m.Name))).ToList() ?? [],
            last?.Reason ?? policy.Status?.LastReason,
            freeze?.Until,
            pin?.Until,
            pin?.Replicas,
            proposal?.Metadata.Name,
            last?.Time ?? policy.Status?.LastEvaluationTime,
            // What an Observe policy says (it would scale, nothing written) is no hold: its STATE says it.
            last is null ? StoredHeld(policy) : (ObserveMode.Observes(policy.Spec) ? null : last.Said) ?? HeldWords.Of(last.Decision.HeldBy, last.Decision.UnheldReplicas, last.CurrentReplicas),
            last is null ? policy.Status?.HeldBy : last.Decision.HeldBy,
            last is null ? policy.Status?.UnheldReplicas : last.Decision.UnheldReplicas,
            LeadingSignalLearning.For(policy), // as stored, and only for the conversion configured now
            OpenProposalTo: proposal?.Spec.ToReplicas); // what approving it gives: DESIRED moves with every evaluation, the card less often
    }

    /// <summary>A follower's sizing row has no metric spec: it shows without a target.</summary>
    private static MetricStatusView Metric(MetricSnapshot m, MetricSpec? spec) =>
        new(m.Name, m.Value, m.Predicted, m.Status.ToString(), m.Problem, spec?.Target, spec?.TargetType);

    /// <summary>
    /// Why nothing moves, where this replica has no evaluation of its own (a follower, or before the first): a policy held
    /// off its workload by its status condition (who owns the workload), else what held the last decision as the leader
    /// recorded it (<c>heldBy</c>, <c>unheldReplicas</c>), dated, since the stored status is up to a refresh period old.
    /// </summary>
    private static string? StoredHeld(ScalePolicy policy) =>
        policy.Status?.Conditions.FirstOrDefault(c => c.Type == TargetOwnership.ConditionType)?.Message
        ?? (policy.Status is { } status && HeldWords.Of(status.HeldBy, status.UnheldReplicas, status.CurrentReplicas) is { } held
            ? status.LastEvaluationTime is { } at ? $"{held} (recorded {at:u})" : held
            : null);
}
