namespace ScaleControl.Core.Proposals;

/// <summary>
/// An approver whose approval was of an earlier ask (recorded before the proposal was amended) may approve what it asks
/// now. Their earlier approval stays on the record as it was given (the history shows it: what they approved then),
/// and their new one, of the ask now, is their word: it counts, and the earlier one no longer stands for them. An
/// approval of the ask now is given once: tapping again is "already approved".
/// </summary>
public static class Reapproval
{
    /// <summary>
    /// The earlier approval <paramref name="user"/> may approve again over, or null when they have none or one that stands
    /// (of the ask now, or one that cannot be told apart from it: written by hand, edited, unverifiable). With
    /// <paramref name="counting"/> its seal says so (the host checks the key); without (no policy to count against) its
    /// <see cref="ApprovalRecord.Asked"/> does on a sealed record — a claim then, but one that can only let a person
    /// approve for themselves. Never over an unsealed one: the host seals the approver's unsealed records with the new one.
    /// </summary>
    public static ApprovalRecord? EarlierApproval(ScaleProposal proposal, string user, ApprovalCountRules? counting)
    {
        var own = proposal.Status.Approvals.Where(a => a.User == user).ToList();
        var earlier = own.Count > 0 && own.All(a => counting is null
            ? a is { Signature.Length: > 0, Asked: { } asked } && asked.WasAskedBy(proposal)
            : counting.Recorded(a) == ApprovalSeal.EarlierAsk);
        return earlier ? own[^1] : null;
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

    /// <summary>"approved 4 → 12 (you had approved 4 → 10 before it was amended)": what the person approved now, and then.</summary>
    public static string Describe(ScaleProposalSpec spec, int granted, ApprovalRecord earlier)
    {
        var then = earlier.Asked is { } asked ? $"{asked.From} → {earlier.Replicas}" : $"{earlier.Replicas} replicas";
        return $"approved {spec.FromReplicas} → {granted} (you had approved {then} before it was amended)";
    }
}
