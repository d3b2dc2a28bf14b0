using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// Takes Undo off the cards whose change the workload has moved on from (<see cref="UndoRules.Withdrawal"/>): a newer
/// change of ScaleControl's was applied, the workload was scaled outside ScaleControl, or the undo window ended. The
/// withdrawal is recorded on the proposal (so <c>scalectl describe</c>, the dashboard and the card say the same); the
/// card reconciler then shows it, in the same tick. Only proposals with a card are swept: an automatic change has no
/// button to take away, and every undo, from any channel, is checked again when it is asked for.
/// </summary>
public sealed class UndoOffers(
    IProposalStore store,
    IWorkloadClient workloads,
    ProposalWriter writer,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ILogger<UndoOffers> logger)
{
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(null, cancellationToken);
        var now = time.GetUtcNow();
        var window = TimeSpan.FromSeconds(options.Value.UndoWindowSeconds);
        // As many as the card reconciler shows in a tick: the first tick after an upgrade finds every retained card's window over.
        var budget = options.Value.CardRepairsPerTick;
        var offering = all.Where(p => p.Status.Card is not null && UndoRules.Offered(p, now, TimeSpan.MaxValue) is null).ToList();
        if (offering.Count == 0)
        {
            return;
        }

        var byNamespace = all.GroupBy(p => p.Metadata.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyCollection<ScaleProposal>)[.. g], StringComparer.Ordinal);
        foreach (var offered in offering)
        {
            if (budget <= 0)
            {
                return;
            }

            var sameNamespace = byNamespace[offered.Metadata.Namespace];
            var workload = await ReadAsync(offered, cancellationToken); // the watch cache answers; an error skips the count this tick
            if (UndoRules.Withdrawal(offered, sameNamespace, workload, now, window) is not { } withdrawal)
            {
                continue;
            }

            budget--;
            var stored = await writer.UpdateAsync(offered, p => ProposalLifecycle.WithdrawUndo(p, withdrawal, now).IfAccepted(), cancellationToken);
            if (stored is not null)
            {
                logger.UndoWithdrawn(stored.Metadata.Namespace, stored.Metadata.Name, withdrawal.Message);
            }
        }
    }

    /// <summary>The workload, or null when it cannot be read now (nothing is withdrawn on missing data).</summary>
    private async Task<WorkloadState?> ReadAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        try
        {
            return await workloads.GetAsync(ProposalFactory.TargetOf(proposal), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }
}
