using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Security;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Conditional proposal updates: the change is computed from what was read and written with that resourceVersion;
/// on a conflict the proposal is read again and the change re-computed (it may no longer apply), never blind-written.
/// Reads come from the watch cache, which trails this replica's own writes by a moment: <see cref="OwnWrites"/> lays
/// them over it, so a burst of taps on one proposal sees the first tap's result instead of conflicting on it. Every
/// proposal it creates carries the seal of its order (<see cref="ApprovalSigner.SealOrder"/>).
/// </summary>
public sealed class ProposalWriter(IProposalStore store, ApprovalSigner signer, OwnWrites ownWrites, ScaleControlMetrics metrics, ILogger<ProposalWriter> logger)
{
    private const int Attempts = 5;

    /// <summary>The freshest view of a proposal this replica has: the cache, or its own later write.</summary>
    public async Task<ScaleProposal?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        await store.GetAsync(@namespace, name, cancellationToken) is { } cached ? ownWrites.Freshest(cached) : null;

    /// <summary>Applies <paramref name="change"/> (null = nothing to do) and returns the stored result, or null when nothing changed.</summary>
    public async Task<ScaleProposal?> UpdateAsync(ScaleProposal current, Func<ScaleProposal, ScaleProposal?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var changed = change(current);
            if (changed is null)
            {
                return null;
            }

            try
            {
                var stored = await store.UpdateAsync(changed, cancellationToken);
                ownWrites.Record(current, stored);
                if (stored.Status.Phase != current.Status.Phase)
                {
                    metrics.ProposalEntered(stored.Status.Phase.ToString());
                    logger.ProposalPhase(stored.Metadata.Namespace, stored.Metadata.Name, stored.Spec.FromReplicas, stored.Spec.ToReplicas, stored.Status.Phase.ToString(), stored.Status.Message ?? "");
                }

                return stored;
            }
            catch (ConcurrencyConflictException) when (attempt < Attempts)
            {
                // Another replica wrote it: read what the store holds now (the watch cache may not have that write yet,
                // and on a loaded machine not for several tries), then decide again.
                current = await store.GetCurrentAsync(current.Metadata.Namespace, current.Metadata.Name, cancellationToken) is { } now
                    ? ownWrites.Freshest(now)
                    : throw new InvalidOperationException($"proposal {current.Key} disappeared while it was being updated");
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="changed"/> only if the proposal is still the version it was computed from (no re-read, no
    /// second try): null when it was written since.
    /// </summary>
    public async Task<ScaleProposal?> UpdateIfUnchangedAsync(ScaleProposal changed, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await store.UpdateAsync(changed, cancellationToken);
            ownWrites.Record(changed, stored);
            return stored;
        }
        catch (ConcurrencyConflictException)
        {
            return null;
        }
    }

    public async Task<ScaleProposal> ReadAsync(ScaleProposal proposal, CancellationToken cancellationToken) =>
        await GetAsync(proposal.Metadata.Namespace, proposal.Metadata.Name, cancellationToken) ?? proposal;

    public async Task<ScaleProposal> CreateAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        var stored = await store.CreateAsync(signer.SealOrder(proposal), cancellationToken);
        metrics.ProposalEntered(stored.Status.Phase.ToString());
        logger.ProposalPhase(stored.Metadata.Namespace, stored.Metadata.Name, stored.Spec.FromReplicas, stored.Spec.ToReplicas, stored.Status.Phase.ToString(), stored.Spec.Reason);
        return stored;
    }
}
