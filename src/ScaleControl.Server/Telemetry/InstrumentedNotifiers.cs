using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Telemetry;

/// <summary>Counts DingTalk card sends, updates and escalations by result for <c>/metrics</c>.</summary>
public sealed class InstrumentedApprovalNotifier(IApprovalNotifier inner, ScaleControlMetrics metrics) : IApprovalNotifier
{
    public Task<CardReference> SendProposalAsync(ScaleProposal proposal, ScalePolicy policy, CancellationToken cancellationToken) =>
        Count(metrics, "card_send", () => inner.SendProposalAsync(proposal, policy, cancellationToken), c => c.Error is null);

    public Task UpdateProposalAsync(ScaleProposal proposal, CancellationToken cancellationToken) =>
        Count(metrics, "card_update", async () => { await inner.UpdateProposalAsync(proposal, cancellationToken); return true; }, _ => true);

    public Task UpdateGroupAsync(IReadOnlyList<ScaleProposal> rows, CancellationToken cancellationToken) =>
        Count(metrics, "card_update", async () => { await inner.UpdateGroupAsync(rows, cancellationToken); return true; }, _ => true);

    public Task<bool> UpdateUnrecordedAsync(ScaleProposal proposal, CancellationToken cancellationToken) =>
        Count(metrics, "card_update", () => inner.UpdateUnrecordedAsync(proposal, cancellationToken), _ => true);

    public Task<EscalationRecord> EscalateAsync(IReadOnlyList<ScaleProposal> rows, EscalationSpec escalation, IReadOnlyList<string> receivers, CancellationToken cancellationToken) =>
        Count(metrics, "ding", () => inner.EscalateAsync(rows, escalation, receivers, cancellationToken), e => e.Via == "ding");

    public Task<bool> MentionAddedApproversAsync(IReadOnlyList<ScaleProposal> rows, IReadOnlyList<string> people, CancellationToken cancellationToken) =>
        Count(metrics, "added_approver_mention", () => inner.MentionAddedApproversAsync(rows, people, cancellationToken), sent => sent);

    internal static async Task<T> Count<T>(ScaleControlMetrics metrics, string operation, Func<Task<T>> call, Func<T, bool> ok)
    {
        try
        {
            var result = await call();
            metrics.DingTalkCall(operation, ok(result) ? "Ok" : "Degraded");
            return result;
        }
        catch (Exception)
        {
            metrics.DingTalkCall(operation, "Error");
            throw;
        }
    }
}

/// <summary>Counts DingTalk notices by result for <c>/metrics</c>.</summary>
public sealed class InstrumentedNoticePublisher(INoticePublisher inner, ScaleControlMetrics metrics) : INoticePublisher
{
    public Task PublishAsync(Notice notice, CancellationToken cancellationToken) =>
        InstrumentedApprovalNotifier.Count(metrics, "notice", async () => { await inner.PublishAsync(notice, cancellationToken); return true; }, _ => true);
}
