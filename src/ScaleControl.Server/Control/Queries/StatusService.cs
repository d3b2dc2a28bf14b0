using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Control.Queries;

public sealed record MetricStatusView(string Name, double? Value, double? Predicted, string Status, string? Problem);

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
    string? Held = null);

public sealed record StatusView(
    string Mode,
    string Identity,
    string? Leader,
    bool IsLeader,
    DateTimeOffset? LastTick,
    IReadOnlyList<PolicyStatusView> Policies,
    IReadOnlyList<string>? Namespaces = null);

/// <summary>
/// Builds <c>/status</c> from the store, the loop's memory of each policy and leadership; <c>namespaces</c> lists the
/// namespaces the server is restricted to (absent: all).
/// </summary>
public sealed class StatusService(
    IPolicyStore policies,
    IProposalStore proposals,
    PolicyRuntimes runtimes,
    Reconciler reconciler,
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
        var views = all.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => View(p, open, now)).ToList();
        return new StatusView(
            mode.Mode.ToString().ToLowerInvariant(),
            leadership.Identity,
            leadership.CurrentLeader,
            leadership.IsLeader,
            reconciler.LastTick,
            views,
            watched.IsAll ? null : watched.Names);
    }

    private PolicyStatusView View(ScalePolicy policy, IReadOnlyList<ScaleProposal> open, DateTimeOffset now)
    {
        var last = runtimes.Find(policy.Metadata.Namespace, policy.Metadata.Name)?.Last;
        var freeze = policy.Spec.Freeze is { } f && f.Until > now ? f : null;
        var pin = policy.Spec.Pin is { } p && p.Until > now ? p : null;
        var proposal = open.FirstOrDefault(o => o.Metadata.Namespace == policy.Metadata.Namespace && o.Spec.Target.Name == policy.Spec.Target.Name);
        return new PolicyStatusView(
            policy.Metadata.Namespace,
            policy.Metadata.Name,
            policy.Spec.Target,
            policy.Spec.Mode,
            last?.CurrentReplicas ?? policy.Status?.CurrentReplicas,
            last?.ReadyReplicas,
            last?.DesiredReplicas ?? policy.Status?.DesiredReplicas,
            last?.Metrics.Select(m => new MetricStatusView(m.Name, m.Value, m.Predicted, m.Status.ToString(), m.Problem)).ToList() ?? [],
            last?.Reason ?? policy.Status?.LastReason,
            freeze?.Until,
            pin?.Until,
            pin?.Replicas,
            proposal?.Metadata.Name,
            last?.Time ?? policy.Status?.LastEvaluationTime,
            last?.Said);
    }
}
