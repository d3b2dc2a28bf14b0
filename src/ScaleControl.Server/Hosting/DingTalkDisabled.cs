using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// Stands in for DingTalk when it is switched off (<c>ScaleControl:DingTalk:Enabled=false</c>): proposals are still
/// made and recorded, and people approve them with scalectl or the REST API. The proposal says why no card exists.
/// </summary>
public sealed class DingTalkDisabled(ILogger<DingTalkDisabled> logger) : IApprovalNotifier, INoticePublisher, IConfirmationCards, IFaultNotifier
{
    /// <summary>No card without DingTalk: the typed <c>confirm &lt;code&gt;</c> is the way.</summary>
    public Task SendAsync(ConfirmationCard card, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CloseAsync(string code, string status, string result, CancellationToken cancellationToken) => Task.CompletedTask;

    public const string Reason = "DingTalk is disabled (ScaleControl:DingTalk:Enabled=false): approve with scalectl or the REST API";

    public Task<CardReference> SendProposalAsync(ScaleProposal proposal, ScalePolicy policy, CancellationToken cancellationToken) =>
        Task.FromResult(new CardReference
        {
            OutTrackId = ProposalIdentity.ToOutTrackId(proposal.Metadata.Namespace, proposal.Metadata.Name),
            Error = Reason,
        });

    public Task UpdateProposalAsync(ScaleProposal proposal, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<EscalationRecord> EscalateAsync(IReadOnlyList<ScaleProposal> rows, EscalationSpec escalation, IReadOnlyList<string> receivers, CancellationToken cancellationToken) =>
        Task.FromResult(new EscalationRecord { DingType = escalation.DingType, Receivers = receivers, Via = "none", Message = Reason });

    public Task<bool> ShowAsync(Core.Faults.FaultNotice notice, bool ding, CancellationToken cancellationToken)
    {
        logger.LogWarning("Fault notice not sent ({Reason}): {Dependency} {State} after {Duration}: {Problem}", Reason, notice.Dependency,
            notice.Resolved ? "resolved" : "failing", Core.Faults.FaultNotice.Format(notice.Duration), notice.Problem);
        return Task.FromResult(true);
    }

    public Task PublishAsync(Notice notice, CancellationToken cancellationToken)
    {
        logger.LogInformation("Notice not sent ({Reason}): {Title}", Reason, notice.Title);
        return Task.CompletedTask;
    }
}
