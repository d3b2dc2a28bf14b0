using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>
/// Why an approval or a rejection on a proposal is a claim, not a fact, in one set of words: the history's rows
/// (<c>"unverified approval (no signature: …): zhangsan approved 4 → 10"</c>), the proposal's view for the page and
/// <c>scalectl describe proposal</c> (<c>"lisi (unverified: no signature: …)"</c>) and chat all say the same.
/// </summary>
public static class UnverifiedWording
{
    public const string Unsigned = "no signature: not recorded by ScaleControl, written by hand";

    public const string NotMatching = "not recorded by ScaleControl: its signature does not match this proposal, approver and approval";

    public const string Uncheckable = "sealed before approvals kept what they approved, and the proposal changed since: it cannot be checked";

    public const string UnsignedRejection = "no signature: not recorded by ScaleControl, written by hand (or before rejections were sealed)";

    public const string NotMatchingRejection = "not recorded by ScaleControl: its signature does not match this proposal, person, step and reason";

    /// <summary>A genuine seal for a step the proposal never asked.</summary>
    public static string NeverAsked(AskedStep asked) => $"signed for {asked.From} → {asked.To}, which this proposal never asked: its spec was changed by hand since";

    /// <summary>Why an approval with this seal finding is unverified; null when ScaleControl recorded it (for this ask or an earlier one).</summary>
    public static string? Approval(ApprovalSealFinding finding, AskedStep? asked) => finding switch
    {
        ApprovalSealFinding.ThisAsk or ApprovalSealFinding.EarlierAsk => null,
        ApprovalSealFinding.Unsigned => Unsigned,
        ApprovalSealFinding.NeverAsked when asked is not null => NeverAsked(asked),
        ApprovalSealFinding.Unverifiable => Uncheckable,
        _ => NotMatching,
    };

    /// <summary>Why a rejection with this seal finding is unverified; null when ScaleControl recorded it.</summary>
    public static string? Rejection(ApprovalSealFinding finding) => finding switch
    {
        ApprovalSealFinding.ThisAsk => null,
        ApprovalSealFinding.Unsigned => UnsignedRejection,
        _ => NotMatchingRejection,
    };

    /// <summary>What the history's row says first: "unverified approval (why): ".</summary>
    public static string RowPrefix(string what, string why) => $"unverified {what} ({why}): ";

    /// <summary>What follows a person's name where they are listed: "lisi (unverified: why)".</summary>
    public static string Mark(string why) => $"unverified: {why}";
}
