using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Telemetry;

/// <summary>Counts DingTalk card sends, updates and escalations by result for <c>/metrics</c>.</summary>
public sealed class InstrumentedApprovalNotifier(IApprovalNotifier inner) : IApprovalNotifier
{
    public Task<CardReference> SendProposalAsync(ScaleProposal proposal, ScalePolicy policy, CancellationToken cancellationToken) =>
        Count("card_send", () => inner.SendProposalAsync(proposal, policy, cancellationToken), c => c.Error is null);

    public Task UpdateProposalAsync(ScaleProposal proposal, CancellationToken cancellationToken) =>
        Count("card_update", async () => { await inner.UpdateProposalAsync(proposal, cancellationToken); return true; }, _ => true);

    public Task UpdateGroupAsync(IReadOnlyList<ScaleProposal> rows, CancellationToken cancellationToken) =>
        Count("card_update", async () => { await inner.UpdateGroupAsync(rows, cancellationToken); return true; }, _ => true);

    public Task<EscalationRecord> EscalateAsync(ScaleProposal proposal, EscalationSpec escalation, IReadOnlyList<string> receivers, CancellationToken cancellationToken) =>
        Count("ding", () => inner.EscalateAsync(proposal, escalation, receivers, cancellationToken), e => e.Via == "ding");

    internal static async Task<T> Count<T>(string operation, Func<Task<T>> call, Func<T, bool> ok)
    {
        try
        {
            var result = await call();
            ScaleControlMetrics.DingTalkCalls.WithLabels(operation, ok(result) ? "Ok" : "Degraded").Inc();
            return result;
        }
        catch (Exception)
        {
            ScaleControlMetrics.DingTalkCalls.WithLabels(operation, "Error").Inc();
            throw;
        }
    }
}

/// <summary>Counts DingTalk notices by result for <c>/metrics</c>.</summary>
public sealed class InstrumentedNoticePublisher(INoticePublisher inner) : INoticePublisher
{
    public Task PublishAsync(Notice notice, CancellationToken cancellationToken) =>
        InstrumentedApprovalNotifier.Count("notice", async () => { await inner.PublishAsync(notice, cancellationToken); return true; }, _ => true);
}
