using System.Globalization;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>A hot event still in force: the workload was raised by <see cref="ScaleUp"/> and runs above <see cref="PreEventReplicas"/>.</summary>
public sealed record HotEvent(ScaleProposal ScaleUp, int PreEventReplicas)
{
    /// <summary>When the event's last scale-up was applied.</summary>
    public DateTimeOffset RaisedAt => ScaleUp.Status.AppliedAt ?? ProposalFactory.CreatedAt(ScaleUp);
}

/// <summary>What the return-to-normal rule says for a policy in a hot event: wait (no step-by-step scale-down), or propose the way back.</summary>
public sealed record ReturnVerdict(int? Target, string Said)
{
    public static ReturnVerdict Wait(string said) => new(null, said);
}

/// <summary>
/// The way back after a hot event, for a policy whose scale-down is by approval. While the workload runs above the
/// replicas it had before the event, the loop proposes no scale-down step by step (a trickle of cards as the traffic
/// ebbs); once the demand has fit the pre-event count for the policy's quiet period, it proposes <em>one</em> "return
/// to normal: N → pre-event M", on the event's card. A "no" (or no answer) to it holds for the reject back-off.
/// Fails static: missing or partial metrics restart the quiet period. While it waits, traffic that comes back moves it
/// up or withdraws it (<see cref="Comeback"/>).
/// </summary>
public static partial class ReturnToNormalRules
{
    public const int DefaultAfterSeconds = 900;

    /// <summary>On a return-to-normal proposal: the name of the event's scale-up it takes back.</summary>
    public const string ReturnOfAnnotation = "scalecontrol.io/return-of";

    /// <summary>The quiet period, or null when the rule is off: scale-down is not by approval, or the knob is 0.</summary>
    public static TimeSpan? QuietPeriod(ScalePolicySpec spec)
    {
        var seconds = spec.Approval?.ReturnToNormalAfterSeconds ?? DefaultAfterSeconds;
        return (spec.ScaleDownMode ?? spec.Mode) == ScaleMode.Approval && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>
    /// The event in force, read from the target's latest applied change: a scale-up made by the loop (approved or
    /// automatic), not undone, with the workload still above the count it started from. Anything else — a pin, an
    /// undo, a scale-down, a return — means no event is remembered.
    /// </summary>
    public static HotEvent? EventOf(ScaleProposal? lastApplied, int currentReplicas)
    {
        if (lastApplied is not { Status: { Phase: ProposalPhase.Applied, AppliedReplicas: { } applied, Undo: null } }
            || ProposalFactory.ActionOf(lastApplied) is not (ProposalFactory.Action.Approval or ProposalFactory.Action.Auto)
            || IsReturn(lastApplied)
            || applied <= lastApplied.Spec.FromReplicas)
        {
            return null;
        }

        var before = lastApplied.Spec.PreEventReplicas ?? lastApplied.Spec.FromReplicas;
        return currentReplicas > before ? new HotEvent(lastApplied, before) : null;
    }

    /// <summary>The pre-event count a new scale-up records: the event's in force, else where the workload runs now.</summary>
    public static int PreEventFor(ScaleProposal? lastApplied, int currentReplicas) =>
        EventOf(lastApplied, currentReplicas)?.PreEventReplicas ?? currentReplicas;

    public static bool IsReturn(ScaleProposal proposal) =>
        proposal.Metadata.Annotations?.ContainsKey(ReturnOfAnnotation) == true;

    /// <summary>
    /// Since when the demand has fit <paramref name="preEvent"/> replicas without a break: <paramref name="since"/>
    /// carried on, now when it starts fitting, null when it does not fit or is not known (a metric failed).
    /// </summary>
    public static DateTimeOffset? QuietSince(DateTimeOffset? since, in Decision decision, int preEvent, DateTimeOffset now) =>
        DemandOf(decision) is { } demand && demand <= preEvent ? since ?? now : null;

    /// <summary>The replicas the measured (and predicted, and signalled) demand asks for; null when any metric is missing.</summary>
    public static int? DemandOf(in Decision decision)
    {
        if (decision.RawRecommendation is not { } raw)
        {
            return null;
        }

        for (var i = 0; i < decision.MetricCount; i++)
        {
            if (decision.MetricAt(i).Problem is not null)
            {
                return null;
            }
        }

        return Math.Max(raw, Math.Max(decision.PredictedRecommendation ?? 0, decision.SignalFloor ?? 0));
    }

    /// <summary>
    /// The verdict for a policy in <paramref name="hotEvent"/>: null when the rule has nothing to say (off, or the way
    /// back is already within reach of the bounds); otherwise wait (with why) or propose the pre-event count.
    /// </summary>
    /// <param name="quietSince">From <see cref="QuietSince"/>, kept by the caller between evaluations.</param>
    /// <param name="lastReturn">The newest finished return-to-normal proposal of this workload, if any.</param>
    /// <param name="refused">The newest proposal a person refused for this workload, if any.</param>
    public static ReturnVerdict? Check(
        ScalePolicy policy, HotEvent hotEvent, DateTimeOffset? quietSince, WorkloadState workload, ScaleProposal? lastReturn, ScaleProposal? refused, DateTimeOffset now)
    {
        if (QuietPeriod(policy.Spec) is not { } period)
        {
            return null;
        }

        var spec = policy.Spec;
        var target = Math.Clamp(hotEvent.PreEventReplicas, spec.MinReplicas, Math.Max(spec.MinReplicas, spec.MaxReplicas));
        // Like every decision, not below an owning HPA's own minimum, and none where its floor would not come down
        // (DecisionEngine.ApplyHpaFloor): there the HPA keeps the count, and the proposal would change nothing.
        HpaInfo? hpaFloor = null;
        if (workload.Hpa is { } hpa && target < workload.SpecReplicas)
        {
            if (hpa.ScaleDownFloor(target) is not { } floor)
            {
                return null;
            }

            hpaFloor = floor == target ? null : hpa;
            target = Math.Min(floor, workload.SpecReplicas);
        }

        if (target >= workload.SpecReplicas)
        {
            return null;
        }

        var waiting = $"hot event since {Clock(hotEvent.RaisedAt)} ({hotEvent.ScaleUp.Metadata.Name}): ";
        if (ProposalRules.ActiveFreeze(spec, now) is { } freeze)
        {
            return ReturnVerdict.Wait($"{waiting}frozen until {freeze.Until:u}; no return to normal before");
        }

        if (ProposalRules.ActivePin(spec, now) is { } pin)
        {
            return ReturnVerdict.Wait($"{waiting}pinned at {pin.Replicas} until {pin.Until:u}; no return to normal before");
        }

        if ((HeldBy(lastReturn, hotEvent, now) ?? HeldBy(refused, hotEvent, now)) is { } held)
        {
            return ReturnVerdict.Wait(waiting + held);
        }

        var pre = $"pre-event {hotEvent.PreEventReplicas}";
        if (quietSince is not { } since)
        {
            return ReturnVerdict.Wait($"{waiting}demand is above the {pre} replicas (or not known); scale-down waits for one return-to-normal proposal after {Minutes(period)} at or under it");
        }

        if (now - since < period)
        {
            return ReturnVerdict.Wait($"{waiting}demand has fit the {pre} replicas since {Clock(since)}; one return-to-normal proposal at {Clock(since + period)}");
        }

        return new ReturnVerdict(target,
            $"return to normal: {workload.SpecReplicas} → {pre}{Within(hotEvent, target, hpaFloor)}; "
            + $"demand has fit {hotEvent.PreEventReplicas} replicas for {Minutes(now - since)} since the hot event of {Clock(hotEvent.RaisedAt)}");
    }

    /// <summary>
    /// The decision a return-to-normal proposal stands for: from where the workload runs to <paramref name="target"/>,
    /// with the evidence of <paramref name="measured"/> (what the demand was when it was proposed).
    /// </summary>
    public static Decision DecisionFor(in Decision measured, WorkloadState workload, int target, string reason) => measured with
    {
        CurrentReplicas = workload.SpecReplicas,
        DesiredReplicas = target,
        Direction = ScaleDirection.Down,
        Outcome = DecisionOutcome.Propose,
        Reason = reason,
        AlternativeReplicas = null,
        RequiresTwoPersons = false,
    };

    /// <summary>Why a refused or unanswered return (or a scale-down refused during the event) still holds at <paramref name="now"/>; null when nothing holds.</summary>
    private static string? HeldBy(ScaleProposal? proposal, HotEvent hotEvent, DateTimeOffset now)
    {
        if (proposal is null || proposal.Spec.ToReplicas >= proposal.Spec.FromReplicas || ProposalFactory.CreatedAt(proposal) < hotEvent.RaisedAt)
        {
            return null;
        }

        var unanswered = proposal.Status.Phase == ProposalPhase.Expired && IsReturn(proposal);
        if ((unanswered ? proposal.Status.History.LastOrDefault()?.At : ProposalRules.RefusedAt(proposal)) is not { } at)
        {
            return null;
        }

        var until = at.AddSeconds(proposal.Spec.RejectBackoffSeconds);
        var what = unanswered ? "nobody answered the return to normal"
            : $"{proposal.Status.Rejection?.User ?? "a person"} refused {proposal.Spec.FromReplicas} → {proposal.Spec.ToReplicas}";
        return now >= until ? null : $"{what} at {Clock(at)}; asked again at {Clock(until)} (reject back-off)";
    }

    /// <summary>Why the target is not the pre-event count: the policy's bounds, or the owning HPA's own minimum.</summary>
    private static string Within(HotEvent hotEvent, int target, HpaInfo? hpaFloor) =>
        target == hotEvent.PreEventReplicas ? ""
        : hpaFloor is not null ? $" (not below HPA {hpaFloor.Name}'s own minReplicas: {target})"
        : $" (within the policy's bounds: {target})";

    private static string Clock(DateTimeOffset at) => at.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC";

    private static string Minutes(TimeSpan span) => span.TotalMinutes >= 1 ? $"{Math.Floor(span.TotalMinutes):0}m" : $"{span.TotalSeconds:0}s";
}
