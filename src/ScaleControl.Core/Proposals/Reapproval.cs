using System.Globalization;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// An approver on the roster whose approval does not count now may approve again: one of an earlier ask (recorded before
/// the proposal was amended), one too old to count, or one ScaleControl did not record (written by hand, edited). Their
/// earlier approval stays on the record as it was given (the history shows it, and why it does not count), and their new
/// one, of the ask now, is their word: it counts. An approval that counts is given once: tapping again is "already approved".
/// </summary>
public static class Reapproval
{
    /// <summary>
    /// The earlier approval <paramref name="user"/> may approve again over, and why it does not count; null when they
    /// have none, or one that counts. With <paramref name="counting"/> the rule of <see cref="ApprovalCounting"/> says so
    /// (the host checks the seal); a person not on the policy's roster now gains nothing by approving again (theirs would
    /// not count either), so they are told "already approved". Without (no policy to count against) only a sealed record
    /// of an ask the proposal no longer asks is one — a claim of its <see cref="ApprovalRecord.Asked"/> then, but one that
    /// can only let a person approve for themselves.
    /// </summary>
    public static EarlierApproval? EarlierApproval(ScaleProposal proposal, string user, ApprovalCountRules? counting)
    {
        var own = proposal.Status.Approvals.Where(a => a.User == user).ToList();
        if (own.Count == 0)
        {
            return null;
        }

        if (counting is null)
        {
            return own.All(a => a is { Signature.Length: > 0, Asked: { } asked } && asked.WasAskedBy(proposal))
                ? new EarlierApproval(own[^1], UncountedCause.EarlierAsk)
                : null;
        }

        if (!ApprovalCounting.OnRoster(proposal, counting.Policy.Spec.Approval?.Approvers ?? [], user))
        {
            return null;
        }

        var causes = own.Select(a => ApprovalCounting.Cause(proposal, a, counting)).ToList();
        return causes.All(c => c is not null) ? new EarlierApproval(own[^1], causes[^1]!.Value) : null;
    }

    /// <summary>
    /// The approvals that stand for their approvers: all, less one of an ask the proposal no longer asks that the same
    /// person followed with a later approval. An approval of the ask now (or without an ask on record) always stands,
    /// so what is agreed is never more than the approvals that count allow.
    /// </summary>
    public static IReadOnlyList<ApprovalRecord> Standing(ScaleProposalSpec spec, IReadOnlyList<ApprovalRecord> approvals)
    {
        var now = AskedStep.Of(spec);
        return [.. approvals.Where((a, i) => !(a.Asked is { } asked && asked != now && approvals.Skip(i + 1).Any(later => later.User == a.User)))];
    }

    /// <summary>
    /// "approved 4 → 12 (you had approved 4 → 10 before it was amended)": what the person approved now, and why their
    /// earlier approval did not count.
    /// </summary>
    public static string Describe(ScaleProposalSpec spec, int granted, EarlierApproval earlier)
    {
        var record = earlier.Approval;
        var then = record.Asked is { } asked ? $"{asked.From} → {record.Replicas}" : $"{record.Replicas} replicas";
        var why = earlier.Cause switch
        {
            UncountedCause.EarlierAsk => $"you had approved {then} before it was amended",
            UncountedCause.TooOld => $"your approval of {then} at {record.At.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture)} was too old to count",
            UncountedCause.NotAnApprover => $"your approval of {then} did not count: you were not an approver of the policy",
            _ => $"the approval of {then} in your name was not recorded by ScaleControl, so it did not count",
        };
        return $"approved {spec.FromReplicas} → {granted} ({why})";
    }
}

/// <summary>A person's approval on the record that does not count now (<see cref="Reapproval"/>), and why.</summary>
public sealed record EarlierApproval(ApprovalRecord Approval, UncountedCause Cause);
