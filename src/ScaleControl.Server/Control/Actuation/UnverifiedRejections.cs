using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Security;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// A rejection ScaleControl did not record — a <c>Rejected</c> status written by whoever may edit ScaleProposals'
/// status — stopped its proposal: that stays (a forged "no" never causes a scale, docs/security.md). But nobody on the
/// roster may have said it, so it does not hold the workload back either (<see cref="Loop.ProposalBoard"/>): while the
/// change is still needed the loop proposes it again, on a new card. The leader says so once: a warning in its log and a
/// Warning Event on the workload, naming the proposal, who it claims, why it does not verify and that a new proposal follows. Rejections up to a day old are looked at (a leader
/// that starts later does not report an old history again and again).
/// </summary>
public sealed class UnverifiedRejections(IProposalStore store, ApprovalSigner signer, Announcer announcer, TimeProvider time, ILogger<UnverifiedRejections> logger)
{
    private static readonly TimeSpan s_lookBack = TimeSpan.FromDays(1);

    /// <summary>The rejections already reported (proposal and when it claims it was rejected), so each is reported once.</summary>
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public async Task ReportAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - s_lookBack;
        foreach (var proposal in await store.ListAsync(null, cancellationToken))
        {
            if (proposal.Status is not { Phase: ProposalPhase.Rejected, Rejection: { } rejection } || rejection.At < since
                || UnverifiedWording.Rejection(signer.CheckRejection(proposal, rejection)) is not { } why
                || !_reported.Add($"{proposal.Key}@{rejection.At.UtcTicks}"))
            {
                continue;
            }

            logger.UnverifiedRejection(proposal.Key, rejection.User, why);
            await announcer.EventAsync(proposal, ScaleEventReasons.ScaleProposalRejectionUnverified,
                $"{proposal.Metadata.Name} stopped by a rejection in the name of {rejection.User} that ScaleControl did not record ({why}); it stays rejected, nothing was scaled; it holds nothing back: a new proposal follows while the change is still needed",
                warning: true, cancellationToken);
        }
    }
}
