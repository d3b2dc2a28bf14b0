using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// The proposal is the truth and the card its view. Each tick the leader brings stale cards up to date (a crash
/// between a proposal write and its card update, a change the loop made — expiry, supersede, escalation — or DingTalk
/// down) and delivers cards that never arrived (DingTalk down when the proposal was made, a crash before the send).
/// At most <see cref="ControlLoopOptions.CardRepairsPerTick"/> a tick, so a DingTalk outage ends without a burst.
/// </summary>
public sealed class CardReconciler(
    IProposalStore store,
    ProposalWriter writer,
    CardSync cards,
    Announcer announcer,
    IOptions<ControlLoopOptions> options,
    TimeProvider time)
{
    /// <summary>How often an undelivered card is tried again.</summary>
    private static readonly TimeSpan s_resendAfter = TimeSpan.FromSeconds(30);

    /// <summary>Time the tap path has to show a decision it recorded before the reconciler does.</summary>
    private static readonly TimeSpan s_tapGrace = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, DateTimeOffset> _lastSend = new(StringComparer.Ordinal);

    public async Task ReconcileAsync(IReadOnlyDictionary<string, ScalePolicy> policies, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var grace = TimeSpan.FromSeconds(options.Value.ApplyClaimSeconds);
        var budget = options.Value.CardRepairsPerTick;
        foreach (var proposal in await store.ListAsync(null, cancellationToken))
        {
            if (budget <= 0)
            {
                return;
            }

            if (CardState.IsStale(proposal) && !InFlight(proposal, now, grace))
            {
                budget--;
                await cards.ShowAsync(proposal, cancellationToken);
            }
            else if (NeedsDelivery(proposal, now, grace)
                     && policies.TryGetValue($"{proposal.Metadata.Namespace}/{proposal.Spec.PolicyName}", out var policy))
            {
                budget--;
                await DeliverAsync(proposal, policy, now, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A change whose own card update is still on its way: an apply running under a live claim (it shows the outcome),
    /// or a tap just recorded (the tap path shows it). Repairing those too would update the card twice.
    /// </summary>
    private static bool InFlight(ScaleProposal proposal, DateTimeOffset now, TimeSpan claim)
    {
        var status = proposal.Status;
        var lastDecision = status.Rejection?.At ?? status.Approvals.LastOrDefault()?.At;
        return (status.Phase == ProposalPhase.Applying && now - (status.History.LastOrDefault()?.At ?? now) < claim)
            || (lastDecision is { } at && now - at < s_tapGrace);
    }

    /// <summary>A pending proposal that has no card, or whose send failed, older than the grace a fresh send needs.</summary>
    private bool NeedsDelivery(ScaleProposal proposal, DateTimeOffset now, TimeSpan grace) =>
        proposal.Status.Phase == ProposalPhase.Pending
        && proposal.Status.Card is null or { Error: not null }
        && now - ProposalFactory.CreatedAt(proposal) > grace
        && (!_lastSend.TryGetValue(proposal.Key, out var last) || now - last > s_resendAfter);

    private async Task DeliverAsync(ScaleProposal proposal, ScalePolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        _lastSend[proposal.Key] = now;
        foreach (var gone in _lastSend.Where(e => now - e.Value > 10 * s_resendAfter).Select(e => e.Key).ToList())
        {
            _lastSend.Remove(gone);
        }

        var card = await announcer.SendCardAsync(proposal, policy, cancellationToken);
        if (card.Error is not null && card.Error == proposal.Status.Card?.Error)
        {
            return;
        }

        var state = CardState.Of(proposal);
        var shown = card.Error is null ? card with { ShownState = state } : card;
        await writer.UpdateAsync(proposal, p => CardState.Of(p) == state ? ProposalLifecycle.WithCard(p, shown) : null, cancellationToken);
    }
}
