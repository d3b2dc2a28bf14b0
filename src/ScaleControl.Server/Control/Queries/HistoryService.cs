using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.Control.Queries;

/// <summary>What a history row records; at the same instant a later kind sorts as the later row.</summary>
public enum HistoryKind
{
    Proposed,

    /// <summary>A pending proposal's target changed in place as the traffic moved ("updated 10:32: 4 → 10").</summary>
    Amended,
    Approved,
    Rejected,
    Applied,
    Failed,
    Expired,
    Superseded,
    AutoScaled,
    Pinned,
    Frozen,
    Unfrozen,
    Prepared,
    Unprepared,

    /// <summary>An applied change was taken back (the undo proposal's apply).</summary>
    Undone,
}

/// <summary>One line of the audit history (<c>GET /api/v1/history</c>).</summary>
/// <param name="Unverified">
/// An override record on the policy, or an approval or rejection on a proposal, that ScaleControl did not write as it
/// stands (<see cref="OverrideRecordSigner"/>, <see cref="ApprovalSigner"/>): what it claims, marked as a claim; its
/// message says why it does not verify.
/// </param>
/// <param name="UnverifiedReason">On an unverified approval or rejection: why, in the words the proposal's view uses (<see cref="UnverifiedWording"/>).</param>
public sealed record HistoryEntry(
    DateTimeOffset Time,
    string Namespace,
    string Workload,
    string Policy,
    HistoryKind Kind,
    int? From,
    int? To,
    string By,
    string? Channel,
    string Message,
    string? Proposal,
    string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Unverified = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UnverifiedReason = null);

/// <summary>
/// The history is read from where it is recorded: every ScaleProposal (proposals, approvals, rejections, outcomes,
/// automatic actions and pins — phase transitions carry who and when) plus the override records on the policies
/// (freezes, unfreezes, unpins, expected events: <see cref="OverrideRecords"/>), so every replica shows the same history,
/// after a restart too. An override record older than retention's age that no write has pruned yet is not shown. One that
/// does not verify (written by hand, copied from another policy or id, edited, or written before records were signed) is
/// not shown as fact: its row is marked <see cref="HistoryEntry.Unverified"/> and its message says so first — kept rather
/// than dropped, since the auditor wants to see that someone wrote it. So is an approval on a proposal that ScaleControl
/// did not record (<see cref="ApprovalSigner.Check"/>): its Approved row is marked and says why, and an applied row names
/// only the approvers ScaleControl recorded; and a rejection it did not record (<see cref="ApprovalSigner.CheckRejection"/>).
/// </summary>
public sealed class HistoryService(
    IProposalStore proposals, IPolicyStore policies, OverrideRecordSigner signer, ApprovalSigner approvals, IOptions<HistoryOptions> retention, TimeProvider time)
{
    /// <summary>What a row of an override record that does not verify says first: without a signature, or with one that does not match.</summary>
    public const string UnsignedPrefix = "unverified record (no signature: written by hand, or before records were signed): ";

    public const string ForgedPrefix = "unverified record (not written by ScaleControl: its signature does not match): ";

    /// <summary>What the Approved row of an approval ScaleControl did not record says first, by what its seal check found (<see cref="UnverifiedWording"/>).</summary>
    public static readonly string UnsignedApprovalPrefix = UnverifiedWording.RowPrefix("approval", UnverifiedWording.Unsigned);

    public static readonly string ForgedApprovalPrefix = UnverifiedWording.RowPrefix("approval", UnverifiedWording.NotMatching);

    public static readonly string UncheckableApprovalPrefix = UnverifiedWording.RowPrefix("approval", UnverifiedWording.Uncheckable);

    /// <summary>What the Rejected row of a rejection ScaleControl did not record says first (the proposal stays stopped: docs/security.md).</summary>
    public static readonly string UnsignedRejectionPrefix = UnverifiedWording.RowPrefix("rejection", UnverifiedWording.UnsignedRejection);

    public static readonly string ForgedRejectionPrefix = UnverifiedWording.RowPrefix("rejection", UnverifiedWording.NotMatchingRejection);

    /// <summary>A genuine seal for a step the proposal never asked: "unverified approval (signed for 11 → 12, which … never asked …): ".</summary>
    public static string NeverAskedApprovalPrefix(AskedStep asked) => UnverifiedWording.RowPrefix("approval", UnverifiedWording.NeverAsked(asked));

    public async Task<IReadOnlyList<HistoryEntry>> ListAsync(string? @namespace, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var all = await proposals.ListAsync(@namespace, cancellationToken);
        var kept = time.GetUtcNow() - TimeSpan.FromDays(retention.Value.MaxAgeDays);
        var overrides = (await policies.ListAsync(@namespace, cancellationToken))
            .SelectMany(p => OverrideRecords.Of(p).Where(r => r.Time >= kept).Select(r => Entry(p, r)).OfType<HistoryEntry>());
        var entries = all.SelectMany(p => Entries(p, a => approvals.Check(p, a), r => approvals.CheckRejection(p, r))).Concat(overrides);
        return [.. entries.Where(e => e.Time >= from && e.Time <= to).OrderByDescending(e => e.Time).ThenByDescending(e => e.Kind)];
    }

    /// <summary>An unpin is a Pinned row without a target (docs/api.md); a kind edited by hand into none of ours is no row.</summary>
    private HistoryEntry? Entry(ScalePolicy policy, OverrideRecord r)
    {
        if (!Enum.TryParse<HistoryKind>(r.Kind == "Unpinned" ? "Pinned" : r.Kind, out var kind))
        {
            return null;
        }

        var doubt = signer.Verifies(policy, r) ? null : r.Signature is null ? UnsignedPrefix : ForgedPrefix;
        return new(r.Time, policy.Metadata.Namespace, r.Workload, policy.Metadata.Name, kind, null, null, r.By, r.Channel.ToString(), doubt + r.Message, null, r.Reason,
            Unverified: doubt is not null);
    }

    internal static IEnumerable<HistoryEntry> Entries(ScaleProposal p, Func<ApprovalRecord, ApprovalSealFinding> seal, Func<RejectionRecord, ApprovalSealFinding> rejectionSeal)
    {
        var action = ProposalFactory.ActionOf(p);
        var created = ProposalFactory.CreatedAt(p);
        // Why: the decision's reason as it stood then, or for a pin the operator's order with its --reason; a rejection carries its own.
        HistoryEntry Entry(DateTimeOffset at, HistoryKind kind, string by, string? channel, string message, int? to = null, string? reason = null, int? from = null) =>
            new(at, p.Metadata.Namespace, p.Spec.Target.Name, p.Spec.PolicyName, kind, from ?? p.Spec.FromReplicas, to ?? p.Spec.ToReplicas, by, channel, message, p.Metadata.Name,
                reason ?? ReasonAt(p, at));

        // An approval ScaleControl did not record is a claim, not a fact: marked, its message says why first.
        HistoryEntry Approved(ApprovalRecord approval, int from)
        {
            var finding = seal(approval);
            var asked = approval.Asked;
            from = finding == ApprovalSealFinding.EarlierAsk && asked is not null ? asked.From : from;
            var then = finding == ApprovalSealFinding.EarlierAsk && asked is not null && asked.To != p.Spec.ToReplicas
                ? $" (it asked {asked.From} → {asked.To} then; amended since)"
                : "";
            var why = UnverifiedWording.Approval(finding, asked);
            var doubt = why is null ? null : UnverifiedWording.RowPrefix("approval", why);
            return Entry(approval.At, HistoryKind.Approved, approval.User, approval.Channel.ToString(), $"{doubt}{approval.User} approved {from} → {approval.Replicas}{then}",
                approval.Replicas, from: from) with { Unverified = why is not null, UnverifiedReason = why };
        }

        // Who approved what was applied: the approvers ScaleControl recorded, never a name written in beside them.
        IReadOnlyList<ApprovalRecord> Genuine(IReadOnlyList<ApprovalRecord> approvals) =>
            [.. approvals.Where(a => seal(a).IsGenuine()).DistinctBy(a => a.User, StringComparer.Ordinal)];

        if (action == ProposalFactory.Action.Approval || WaitedForApprovers(p, action))
        {
            // A partly applied proposal starts from where its rest starts now; it was proposed from the first part's
            // start, and for the target it had before any amendment.
            var amendments = p.Status.Amendments;
            yield return Entry(created, HistoryKind.Proposed, p.Spec.RequestedBy, null, ReasonAt(p, created), amendments.FirstOrDefault()?.FromTarget, from: FromAt(p, created));
            foreach (var amendment in amendments)
            {
                yield return Entry(amendment.At, HistoryKind.Amended, p.Spec.RequestedBy, null, $"target updated {amendment.FromTarget} → {amendment.ToTarget}", amendment.ToTarget, from: FromAt(p, amendment.At));
            }

            foreach (var step in p.Status.AppliedSteps)
            {
                foreach (var approval in step.Approvals)
                {
                    yield return Approved(approval, step.From);
                }

                var approvers = Genuine(step.Approvals);
                yield return Entry(step.At, HistoryKind.Applied, string.Join(", ", approvers.Select(a => a.User)), approvers.LastOrDefault()?.Channel.ToString(),
                    $"applied {step.From} → {step.To}: the part approved; the rest stayed pending", step.To, from: step.From);
            }

            foreach (var approval in p.Status.Approvals)
            {
                yield return Approved(approval, p.Spec.FromReplicas);
            }

            if (p.Status.Rejection is { } rejection)
            {
                // A "no" ScaleControl did not record still stopped the proposal, but it is a claim of who said it.
                var why = UnverifiedWording.Rejection(rejectionSeal(rejection));
                var doubt = why is null ? null : UnverifiedWording.RowPrefix("rejection", why);
                yield return Entry(rejection.At, HistoryKind.Rejected, rejection.User, rejection.Channel.ToString(), $"{doubt}{rejection.User} rejected: {rejection.Reason}",
                    reason: string.IsNullOrWhiteSpace(rejection.Reason) ? "(no reason given)" : rejection.Reason) with { Unverified = why is not null, UnverifiedReason = why };
            }
        }

        foreach (var transition in p.Status.History.Where(t => t.To is ProposalPhase.Applied or ProposalPhase.Failed or ProposalPhase.Expired or ProposalPhase.Superseded
            && t.From != t.To)) // Applied → Applied marks an undo; the undo proposal's own row tells it
        {
            var kind = transition.To switch
            {
                ProposalPhase.Applied when action == ProposalFactory.Action.Auto => HistoryKind.AutoScaled,
                ProposalPhase.Applied when action == ProposalFactory.Action.Pin => HistoryKind.Pinned,
                ProposalPhase.Applied when action == ProposalFactory.Action.Undo => HistoryKind.Undone,
                ProposalPhase.Applied => HistoryKind.Applied,
                ProposalPhase.Failed => HistoryKind.Failed,
                ProposalPhase.Expired => HistoryKind.Expired,
                _ => HistoryKind.Superseded,
            };
            var approvers = Genuine(p.Status.Approvals);
            var channel = action switch
            {
                ProposalFactory.Action.Auto => ApprovalChannel.Auto.ToString(),
                _ => approvers.LastOrDefault()?.Channel.ToString(),
            };
            var by = kind is HistoryKind.Applied or HistoryKind.Pinned or HistoryKind.Undone && approvers.Count > 0
                ? string.Join(", ", approvers.Select(a => a.User))
                : transition.By;
            yield return Entry(transition.At, kind, by, channel, transition.Message, p.Status.AppliedReplicas);
        }
    }

    /// <summary>What the proposal said it asked for at <paramref name="at"/>: an amendment replaces the spec's reason.</summary>
    private static string ReasonAt(ScaleProposal p, DateTimeOffset at)
    {
        var amendments = p.Status.Amendments;
        if (amendments.Count == 0)
        {
            return p.Spec.Reason;
        }

        return amendments.LastOrDefault(a => a.At <= at)?.Reason
            ?? amendments[0].FromReason
            ?? "(not recorded: amended by a version that did not keep the first reason)";
    }

    /// <summary>The count the proposal's open part started from at <paramref name="at"/>: each applied part moves it.</summary>
    private static int FromAt(ScaleProposal p, DateTimeOffset at)
    {
        var steps = p.Status.AppliedSteps;
        // A part applied in the same instant as an amendment came after it (the tap saw the older target).
        return steps.LastOrDefault(s => s.At < at)?.To ?? (steps.Count > 0 ? steps[0].From : p.Spec.FromReplicas);
    }

    /// <summary>
    /// A person's pin or undo that went to the approvers (they are not on the roster, or the two-person rule): it has
    /// the rows of any proposal — who asked, who approved or rejected. One applied at once (approved in the instant
    /// it was made) has its Pinned or Undone row only.
    /// </summary>
    private static bool WaitedForApprovers(ScaleProposal p, ProposalFactory.Action action) =>
        action is ProposalFactory.Action.Pin or ProposalFactory.Action.Undo
        && !(p.Status.History is [{ To: ProposalPhase.Pending } asked, { To: ProposalPhase.Approved } approved, ..] && approved.At == asked.At);
}
