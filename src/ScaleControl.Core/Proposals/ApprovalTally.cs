namespace ScaleControl.Core.Proposals;

/// <summary>Why an approval on the record does not count now (<see cref="ApprovalCounting"/>).</summary>
public enum UncountedCause
{
    /// <summary>No valid seal: ScaleControl did not record it (written by hand, copied, or sealed with a retired key).</summary>
    NotRecorded,

    /// <summary>Its approver is not on the policy's roster as it is now (removed since they tapped).</summary>
    NotAnApprover,

    /// <summary>Older than an approval may be when it is applied (<c>MaxApprovalAgeSeconds</c>).</summary>
    TooOld,

    /// <summary>Recorded by ScaleControl for an earlier ask of the proposal (amended since): it approved another step.</summary>
    EarlierAsk,
}

/// <summary>One approval on the record that does not count now, and why; the record itself stays (the audit trail).</summary>
public sealed record UncountedApproval
{
    public string User { get; init; } = "";
    public UncountedCause Cause { get; init; }
}

/// <summary>
/// How a proposal's approvals count against the policy as it is now (<see cref="ApprovalCounting.Tally(ScaleProposal, ApprovalCountRules)"/>).
/// Kept on a pending proposal when it says more than the taps do (an approval that no longer counts, more approvals
/// asked than when it was proposed), so the card reads "1 of 2 approvals (zhangsan is no longer an approver), one
/// more needed" instead of counting taps.
/// </summary>
public sealed record ApprovalTally
{
    /// <summary>Distinct people whose approval counts.</summary>
    public int Counted { get; init; }

    /// <summary>How many the proposal needs now: its own count, and no fewer than the policy's requiredApprovals now.</summary>
    public int Required { get; init; }

    public IReadOnlyList<UncountedApproval> NotCounted { get; init; } = [];

    public bool IsEnough() => Counted >= Required;

    /// <summary>"1 of 2 approvals (zhangsan is no longer an approver), one more needed"; <paramref name="name"/> shows a user id as a person's name.</summary>
    public string Describe(Func<string, string>? name = null)
    {
        name ??= user => user;
        var text = $"{Counted} of {Required} approval{(Required == 1 ? "" : "s")}";
        if (NotCounted.Count > 0)
        {
            text += $" ({string.Join("; ", NotCounted.Select(n => Why(n, name(n.User))))})";
        }

        var missing = Required - Counted;
        return missing <= 0 ? text : $"{text}, {(missing == 1 ? "one" : missing.ToString(System.Globalization.CultureInfo.InvariantCulture))} more needed";
    }

    private static string Why(UncountedApproval approval, string who) => approval.Cause switch
    {
        UncountedCause.NotAnApprover => $"{who} is no longer an approver",
        UncountedCause.TooOld => $"{who}'s approval is too old to count",
        UncountedCause.EarlierAsk => $"{who} approved the step asked before it was amended",
        _ => $"{who}'s approval was not recorded by ScaleControl",
    };
}
