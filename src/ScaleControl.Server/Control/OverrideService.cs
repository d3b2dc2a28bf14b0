using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control;

/// <summary>The outcome of an override request.</summary>
public sealed record OverrideResult(ScalePolicy? Policy, string? Problem, int Status = StatusCodes.Status200OK);

/// <summary>
/// Pins and freezes: written into the policy's spec (so every replica and the leader's loop honour them and they
/// survive restarts) with an expiry; the loop ignores them once expired, so they lift by themselves.
/// A pin also scales the workload now, recorded as a ScaleProposal of action "pin".
/// </summary>
public sealed class OverrideService(
    IPolicyStore policies,
    IWorkloadClient workloads,
    ProposalService proposals,
    ProposalWriter writer,
    ScaleApplier applier,
    Announcer announcer,
    OverrideJournal journal,
    TimeProvider time,
    ILogger<OverrideService> logger)
{
    public async Task<OverrideResult> FreezeAsync(string @namespace, string name, int durationSeconds, string reason, string user, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow().AddSeconds(durationSeconds);
        var result = await ChangeSpecAsync(@namespace, name, s => s with { Freeze = new FreezeSpec { Until = until, Reason = reason, By = user } }, cancellationToken);
        if (result.Policy is { } policy)
        {
            var message = $"frozen until {until:u} by {user}: {reason}";
            await RecordAsync(policy, "Frozen", user, message, ScaleEventReasons.PolicyFrozen, NoticeKind.Frozen, cancellationToken);
        }

        return result;
    }

    public async Task<OverrideResult> UnfreezeAsync(string @namespace, string name, string user, CancellationToken cancellationToken)
    {
        var result = await ChangeSpecAsync(@namespace, name, s => s with { Freeze = null }, cancellationToken);
        if (result.Policy is { } policy)
        {
            await RecordAsync(policy, "Unfrozen", user, $"unfrozen by {user}", ScaleEventReasons.PolicyFrozen, NoticeKind.Unfrozen, cancellationToken);
        }

        return result;
    }

    public async Task<OverrideResult> PinAsync(string @namespace, string workload, int replicas, int durationSeconds, string reason, string user, CancellationToken cancellationToken)
    {
        var policy = await FindByWorkloadAsync(@namespace, workload, cancellationToken);
        if (policy is null)
        {
            return new OverrideResult(null, $"no ScalePolicy in namespace '{@namespace}' targets workload '{workload}'", StatusCodes.Status404NotFound);
        }

        var target = ProposalFactory.TargetOf(policy);
        var state = await workloads.GetAsync(target, cancellationToken);
        if (state is null)
        {
            return new OverrideResult(null, $"{target.Kind} {target} does not exist", StatusCodes.Status404NotFound);
        }

        var now = time.GetUtcNow();
        var until = now.AddSeconds(durationSeconds);
        var result = await ChangeSpecAsync(@namespace, policy.Metadata.Name, s => s with { Pin = new PinSpec { Replicas = replicas, Until = until, Reason = reason, By = user } }, cancellationToken);
        if (result.Policy is not { } pinned)
        {
            return result;
        }

        var open = await proposals.FindOpenAsync(target, cancellationToken);
        var created = await writer.CreateAsync(ProposalFactory.ForPin(pinned, state, replicas, user, reason, until, now), cancellationToken);
        if (open?.Status.Phase == ProposalPhase.Pending)
        {
            await proposals.SupersedeAsync(open, created, cancellationToken);
        }

        var applied = await applier.ApplyAsync(created, user, cancellationToken);
        await RecordAsync(pinned, "Pinned", user, $"pinned at {replicas} until {until:u} by {user}: {reason} ({applied.Status.Message})", ScaleEventReasons.ReplicasPinned, NoticeKind.Pinned, cancellationToken, remember: false);
        return result;
    }

    public async Task<OverrideResult> UnpinAsync(string @namespace, string workload, string user, CancellationToken cancellationToken)
    {
        var policy = await FindByWorkloadAsync(@namespace, workload, cancellationToken);
        if (policy is null)
        {
            return new OverrideResult(null, $"no ScalePolicy in namespace '{@namespace}' targets workload '{workload}'", StatusCodes.Status404NotFound);
        }

        var result = await ChangeSpecAsync(@namespace, policy.Metadata.Name, s => s with { Pin = null }, cancellationToken);
        if (result.Policy is { } unpinned)
        {
            await RecordAsync(unpinned, "Unpinned", user, $"pin removed by {user}; the policy decides again", ScaleEventReasons.ReplicasPinned, NoticeKind.Pinned, cancellationToken);
        }

        return result;
    }

    public async Task<ScalePolicy?> FindByWorkloadAsync(string @namespace, string workload, CancellationToken cancellationToken) =>
        (await policies.ListAsync(@namespace, cancellationToken)).FirstOrDefault(p => p.Spec.Target.Name == workload);

    /// <summary>Read-modify-write of the spec, conditional on resourceVersion; re-read and retry on conflict.</summary>
    internal async Task<OverrideResult> ChangeSpecAsync(string @namespace, string name, Func<ScalePolicySpec, ScalePolicySpec> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var policy = await policies.GetAsync(@namespace, name, cancellationToken);
            if (policy is null)
            {
                return new OverrideResult(null, $"ScalePolicy {@namespace}/{name} does not exist", StatusCodes.Status404NotFound);
            }

            try
            {
                return new OverrideResult(await policies.UpsertAsync(policy with { Spec = change(policy.Spec) }, cancellationToken), null);
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
            }
        }
    }

    internal async Task RecordAsync(ScalePolicy policy, string kind, string user, string message, string reason, NoticeKind notice, CancellationToken cancellationToken, bool remember = true)
    {
        var target = ProposalFactory.TargetOf(policy);
        logger.OverrideChanged(user, kind.ToLowerInvariant(), policy.Metadata.Namespace, policy.Metadata.Name, message);
        if (remember)
        {
            journal.Add(new OverrideEntry(time.GetUtcNow(), policy.Metadata.Namespace, policy.Metadata.Name, target.Name, kind, user, message));
        }

        await announcer.EventAsync(target, reason, message, warning: false, cancellationToken);
        await announcer.NoticeAsync(policy, notice, target, $"{target}: {kind.ToLowerInvariant()}", $"**{target}** {message}", cancellationToken);
    }
}
