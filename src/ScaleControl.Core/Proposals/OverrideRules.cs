using System.Globalization;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Text;

namespace ScaleControl.Core.Proposals;

/// <summary>What happens to a request to pin a workload's replicas.</summary>
public enum OverrideRoute
{
    /// <summary>The caller is on the policy's approver roster (or the policy has none) and no second person is needed: applied at once.</summary>
    ApplyNow,

    /// <summary>Becomes a Pending proposal an approver must approve (the caller is not on the roster, or the two-person rule applies).</summary>
    Propose,

    /// <summary>Refused: see <see cref="OverrideVerdict.Field"/> and <see cref="OverrideVerdict.Message"/>.</summary>
    Refuse,
}

/// <summary>The route of an override and, for a refusal, the request field at fault.</summary>
public sealed record OverrideVerdict(OverrideRoute Route, string Message, string? Field = null, bool OutsideBounds = false, bool RequiresTwoPersons = false);

/// <summary>
/// Who may change a workload's replicas by hand, the same for the API, scalectl and chat. A token alone never scales
/// a workload whose policy names approvers: an override by someone on the roster applies at once within the policy's
/// bounds (the two-person rule still asks for a second approver above its threshold); anyone else's becomes a
/// proposal that an approver must approve. Leaving minReplicas..maxReplicas needs an explicit flag and is recorded.
/// </summary>
public static class OverrideRules
{
    public static OverrideVerdict Route(ScalePolicySpec spec, string user, int currentReplicas, int replicas, bool allowOutsideBounds)
    {
        // Not even "outside the bounds on purpose": a chat "2->0", confirmed, reached the store as a pin of 0.
        if (replicas < 1)
        {
            return new OverrideVerdict(OverrideRoute.Refuse,
                string.Create(CultureInfo.InvariantCulture, $"replicas must be at least 1 (got {replicas}): scaling to zero is not supported."), "replicas");
        }

        var outside = replicas < spec.MinReplicas || replicas > spec.MaxReplicas;
        if (outside && !allowOutsideBounds)
        {
            return new OverrideVerdict(OverrideRoute.Refuse,
                string.Create(CultureInfo.InvariantCulture, $"{replicas} is outside the policy's bounds {spec.MinReplicas}..{spec.MaxReplicas}; set allowOutsideBounds (scalectl: --allow-outside-bounds) to go there on purpose."),
                "replicas");
        }

        var roster = spec.Approval?.Approvers ?? [];
        var twoPersons = roster.Count > 0
            && ApprovalShaping.ApprovalsNeeded(spec.Approval?.RequiredApprovals ?? 1, ApprovalShaping.RequiresTwoPersons(spec, currentReplicas, replicas)) > 1;
        if (roster.Count > 0 && !roster.Contains(user, StringComparer.Ordinal))
        {
            return new OverrideVerdict(OverrideRoute.Propose, $"{user} is not an approver of this policy: the override awaits approval by {string.Join(", ", roster)}",
                OutsideBounds: outside, RequiresTwoPersons: twoPersons);
        }

        return twoPersons
            ? new OverrideVerdict(OverrideRoute.Propose, "the two-person rule applies: a second approver must approve", OutsideBounds: outside, RequiresTwoPersons: true)
            : new OverrideVerdict(OverrideRoute.ApplyNow, roster.Count > 0 ? $"{user} is an approver of this policy" : "the policy names no approvers", OutsideBounds: outside);
    }

    /// <summary>
    /// People pin on purpose, so a pin below what the policy asks goes through, but says so; null when it does not go
    /// below. "Asks" is the policy's last recorded decision (its status); under an active pin or freeze that records
    /// the override, not the policy's ask, so nothing is said then.
    /// </summary>
    public static string? BelowPolicyNote(ScalePolicy policy, int replicas, TimeSpan duration, DateTimeOffset now) =>
        policy.Status?.DesiredReplicas is { } asked && replicas < asked
        && ProposalRules.ActivePin(policy.Spec, now) is null && ProposalRules.ActiveFreeze(policy.Spec, now) is null
            ? $"note: the policy asks for {asked} now; the pin holds {replicas} for {DurationText.Short(duration)}"
            : null;

    /// <summary>
    /// A pin (or an expected event's floor) is recorded even when the nodes cannot hold it (the operator may know nodes are coming), but it says so:
    /// null unless <paramref name="estimate"/> (the pin's own, as on every proposal) finds pods that would stay Pending.
    /// ASCII only: it travels as an HTTP <c>Warning</c> header too.
    /// </summary>
    /// <param name="what">What adds the pods: "this pin", "this floor".</param>
    public static string? RoomNote(CapacityEstimate? estimate, string what = "this pin")
    {
        if (estimate is not { Room: RoomVerdict.Short, Fitting: { } fitting, Pending: { } pending })
        {
            return null;
        }

        var why = estimate.NodesNeeded is { } needed ? Invariant($"needs ~{needed} more node{(needed == 1 ? "" : "s")}") : estimate.Note;
        var waiting = estimate.AlreadyPending is > 0 and var already ? Invariant($", after {already} pod{(already == 1 ? "" : "s")} already Pending") : "";
        var fit = fitting == 0 ? "none" : Invariant($"only {fitting}");
        return Invariant($"room: {fit} of the {estimate.Pods} pod{(estimate.Pods == 1 ? "" : "s")} {what} adds fit on the nodes now{waiting}; {pending} would stay Pending")
            + (why is null ? "" : $" ({why})");
    }

    /// <summary>Two notes on one line (a Warning header is one line), or the one there is.</summary>
    public static string? JoinNotes(string? first, string? second) =>
        first is null ? second : second is null ? first : $"{first}; {second}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// What holds once a pin or a freeze is lifted (<paramref name="spec"/> is the policy after it): "the policy decides
    /// again", unless the other override still does. Unpinning a frozen policy said the policy decides again while the
    /// freeze still kept it from changing anything.
    /// </summary>
    public static string AfterLift(ScalePolicySpec spec, DateTimeOffset now) =>
        ProposalRules.ActiveFreeze(spec, now) is { } freeze ? $"still frozen until {freeze.Until:u} by {freeze.By ?? "?"}: the policy changes nothing before"
        : ProposalRules.ActivePin(spec, now) is { } pin ? $"still pinned at {pin.Replicas} until {pin.Until:u}: the policy decides again after"
        : DecidesAgain;

    /// <summary><see cref="AfterLift"/> when no other override holds.</summary>
    public const string DecidesAgain = "the policy decides again";

    /// <summary>How an override outside the bounds is written into its record, so history and the card say so.</summary>
    public static string BoundsNote(ScalePolicySpec spec, bool outside) =>
        outside ? string.Create(CultureInfo.InvariantCulture, $" [outside the policy's bounds {spec.MinReplicas}..{spec.MaxReplicas}, allowed explicitly]") : "";
}
