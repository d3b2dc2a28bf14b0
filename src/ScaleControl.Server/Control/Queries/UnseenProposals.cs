using System.Globalization;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Queries;

/// <summary>A proposal waiting for a person that nobody may have been told about, in the server's words.</summary>
public sealed record UnseenProposalView(string Namespace, string Name, string Workload, string Line);

/// <summary>
/// The proposals waiting for approval whose card did not reach the group (DingTalk throttled or down when it was
/// sent, the resend failing since) or whose escalation failed. Storm walkthrough (DingTalk degraded): with every card
/// throttled for minutes, <c>status</c>, <c>/readyz</c> and the dashboard said nothing of it; only a counter in
/// <c>/metrics</c> did, and the proposals waited, unseen, towards their expiry.
/// </summary>
public static class UnseenProposals
{
    /// <summary>A fresh proposal's card is on its way; after this it is missing.</summary>
    public static readonly TimeSpan SendGrace = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<UnseenProposalView> Of(IEnumerable<ScaleProposal> proposals, DateTimeOffset now) =>
        [.. proposals
            .Where(p => p.Status.Phase == ProposalPhase.Pending && ProposalFactory.WasPutToApprovers(p))
            .Select(p => (Proposal: p, Why: Why(p, now)))
            .Where(u => u.Why is not null)
            .OrderBy(u => u.Proposal.Spec.ExpiresAt)
            .Select(u => new UnseenProposalView(
                u.Proposal.Metadata.Namespace,
                u.Proposal.Metadata.Name,
                $"{u.Proposal.Metadata.Namespace}/{u.Proposal.Spec.Target.Name}",
                $"{u.Proposal.Spec.FromReplicas} → {u.Proposal.Spec.ToReplicas} ({u.Proposal.Metadata.Name}), expires {Utc(u.Proposal.Spec.ExpiresAt)}: {u.Why}; "
                + $"decide with scalectl approve|reject {u.Proposal.Metadata.Namespace}/{u.Proposal.Metadata.Name}"))];

    private static string? Why(ScaleProposal proposal, DateTimeOffset now)
    {
        var card = proposal.Status.Card;
        var missing = card switch
        {
            { Error: { } error } => $"its card was not delivered ({error})",
            null when now - ProposalFactory.CreatedAt(proposal) > SendGrace => "it has no card yet",
            _ => null,
        };
        var escalation = proposal.Status.Escalations.LastOrDefault(e => e.Via == EscalationFailed);
        return (missing, escalation) switch
        {
            (null, null) => null,
            (_, null) => missing,
            (null, { } failed) => $"its escalation failed at {Utc(failed.At)} ({failed.Message})",
            ({ } both, { } failed) => $"{both}; its escalation failed at {Utc(failed.At)} ({failed.Message})",
        };
    }

    /// <summary>The record an escalation leaves when neither the DING nor its fallback went out.</summary>
    public const string EscalationFailed = "failed";

    private static string Utc(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ssZ", CultureInfo.InvariantCulture);
}
