using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// Proposal records for the three reasons one is made: the loop asking (approval), the loop acting (auto) and a
/// person pinning replicas. All are ScaleProposals, so the history of a workload lives in one place; the action
/// label tells them apart.
/// </summary>
public static class ProposalFactory
{
    public const string ActionLabel = "scalecontrol.io/action";

    public enum Action
    {
        Approval,
        Auto,
        Pin,

        /// <summary>Back to the replicas before an applied change (<see cref="UndoRules"/>).</summary>
        Undo,
    }

    /// <summary>
    /// A Pending proposal (Approval) or one already approved by the loop itself (Auto). A scale-up records
    /// <paramref name="preEventReplicas"/>, the count a later return to normal goes back to.
    /// </summary>
    public static ScaleProposal FromDecision(ScalePolicy policy, Decision decision, WorkloadState workload, DateTimeOffset now, Action action, int? preEventReplicas = null)
    {
        var proposal = Label(ProposalLifecycle.Create(policy, decision, workload, now, UniqueName(policy, now)), action);
        if (decision.DesiredReplicas > decision.CurrentReplicas)
        {
            proposal = proposal with { Spec = proposal.Spec with { PreEventReplicas = preEventReplicas ?? decision.CurrentReplicas } };
        }

        return action == Action.Auto ? ProposalLifecycle.ApproveAutomatically(proposal, now, decision.Reason).Proposal : proposal;
    }

    /// <summary>
    /// The one "return to normal" proposal after <paramref name="hotEvent"/> (<see cref="ReturnToNormalRules"/>): Pending for
    /// the roster, naming the event's scale-up, without a DING of its own (the way back is not urgent).
    /// </summary>
    public static ScaleProposal ForReturn(ScalePolicy policy, Decision decision, WorkloadState workload, HotEvent hotEvent, DateTimeOffset now)
    {
        var proposal = FromDecision(policy, decision, workload, now, Action.Approval);
        return proposal with
        {
            Metadata = proposal.Metadata with
            {
                Annotations = new Dictionary<string, string>(proposal.Metadata.Annotations ?? new Dictionary<string, string>())
                {
                    [ReturnToNormalRules.ReturnOfAnnotation] = hotEvent.ScaleUp.Metadata.Name,
                },
            },
            Spec = proposal.Spec with { EscalateAt = null },
        };
    }

    /// <summary>A pin by an approver within the rules: requested and approved by that person (<see cref="OverrideRules"/> already routed it).</summary>
    public static ScaleProposal ForPin(ScalePolicy policy, WorkloadState workload, PinOrder order, OverrideVerdict verdict, DateTimeOffset until, DateTimeOffset now)
    {
        var message = $"pinned at {order.Replicas} until {until:u} by {order.User}: {order.Reason}{OverrideRules.BoundsNote(policy.Spec, verdict.OutsideBounds)}";
        var proposal = PinProposal(policy, workload, order, message, verdict, now, new Dictionary<string, string>());
        return ProposalLifecycle.Pin(proposal, order.User, now, message, order.Channel).Proposal;
    }

    /// <summary>
    /// A pin that needs approval: Pending, with the pin's duration and reason in annotations so approving it pins the
    /// workload from that moment (<see cref="PinActivation"/>). A requester on the roster (two-person rule) has approved already.
    /// </summary>
    /// <param name="note">A caveat the approvers should see on the card (a pin below what the policy asks now).</param>
    public static ScaleProposal ForPinRequest(ScalePolicy policy, WorkloadState workload, PinOrder order, OverrideVerdict verdict, DateTimeOffset now, string? note = null)
    {
        var message = $"pin at {order.Replicas} for {order.DurationSeconds}s requested by {order.User}: {order.Reason}{OverrideRules.BoundsNote(policy.Spec, verdict.OutsideBounds)}"
            + (note is null ? "" : $"; {note}");
        var proposal = PinProposal(policy, workload, order, message, verdict, now, new Dictionary<string, string>
        {
            [PinDurationAnnotation] = order.DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [PinReasonAnnotation] = order.Reason,
        });
        var approved = ProposalLifecycle.Approve(proposal, order.User, order.Channel, now, order.Replicas);
        return approved.Accepted ? approved.Proposal : proposal;
    }

    /// <summary>
    /// An undo of <paramref name="original"/>: from where the workload is now back to where the change started. Ordered
    /// by someone the rules let apply at once (<see cref="OverrideRoute.ApplyNow"/>): Approved by them; otherwise Pending
    /// for the roster, already carrying the requester's approval when they are on it (two-person rule).
    /// </summary>
    public static ScaleProposal ForUndo(ScalePolicy policy, WorkloadState workload, ScaleProposal original, UndoOrder order, OverrideVerdict verdict, DateTimeOffset now)
    {
        var target = original.Spec.FromReplicas;
        var message = $"undo of {original.Metadata.Name} ({original.Spec.FromReplicas} → {original.Status.AppliedReplicas}) by {order.User}: {order.Reason}";
        var decision = OrderedDecision(workload, target, message, verdict, boundBy: "undo");
        var proposal = Label(ProposalLifecycle.Create(policy, decision, workload, now, UniqueName(policy, now), requestedBy: order.User), Action.Undo);
        proposal = proposal with
        {
            Metadata = proposal.Metadata with
            {
                Annotations = new Dictionary<string, string>(proposal.Metadata.Annotations ?? new Dictionary<string, string>()) { [UndoOfAnnotation] = original.Metadata.Name },
            },
        };
        if (verdict.Route == OverrideRoute.ApplyNow)
        {
            return ProposalLifecycle.Pin(proposal, order.User, now, $"undo ordered by {order.User}: {order.Reason}", order.Channel).Proposal;
        }

        var approved = ProposalLifecycle.Approve(proposal, order.User, order.Channel, now, target);
        return approved.Accepted ? approved.Proposal : proposal;
    }

    /// <summary>On an undo proposal: the name of the applied proposal it reverses.</summary>
    public const string UndoOfAnnotation = "scalecontrol.io/undo-of";

    public const string PinDurationAnnotation = "scalecontrol.io/pin-duration-seconds";
    public const string PinReasonAnnotation = "scalecontrol.io/pin-reason";

    /// <summary>
    /// On a pin asked outside the policy's bounds on purpose (<c>allowOutsideBounds</c>): "true". Sealed with the order, so
    /// a pin asked within the bounds is held to the bounds as they are when it applies (<see cref="ProposalRules.PinOutsideBounds"/>).
    /// </summary>
    public const string PinOutsideBoundsAnnotation = "scalecontrol.io/pin-outside-bounds";

    /// <summary>Whether the pin was asked outside the policy's bounds on purpose (<see cref="PinOutsideBoundsAnnotation"/>).</summary>
    public static bool PinAllowedOutsideBounds(ScaleProposal proposal) =>
        proposal.Metadata.Annotations?.GetValueOrDefault(PinOutsideBoundsAnnotation) == "true";

    private static ScaleProposal PinProposal(ScalePolicy policy, WorkloadState workload, PinOrder order, string message, OverrideVerdict verdict, DateTimeOffset now, Dictionary<string, string> annotations)
    {
        var decision = OrderedDecision(workload, order.Replicas, message, verdict, boundBy: verdict.OutsideBounds ? "pin:outside-bounds" : "pin");
        var proposal = Label(ProposalLifecycle.Create(policy, decision, workload, now, UniqueName(policy, now), requestedBy: order.User), Action.Pin);
        if (verdict.OutsideBounds)
        {
            annotations[PinOutsideBoundsAnnotation] = "true";
        }

        return annotations.Count == 0 ? proposal : proposal with
        {
            Metadata = proposal.Metadata with
            {
                Annotations = new Dictionary<string, string>(proposal.Metadata.Annotations ?? new Dictionary<string, string>()).Concat(annotations).ToDictionary(),
            },
        };
    }

    /// <summary>The decision a person's order stands for (a pin or an undo): this count, now, for the reason they gave.</summary>
    private static Decision OrderedDecision(WorkloadState workload, int replicas, string message, OverrideVerdict verdict, string boundBy) => new()
    {
        CurrentReplicas = workload.SpecReplicas,
        DesiredReplicas = replicas,
        Direction = replicas > workload.SpecReplicas ? ScaleDirection.Up : replicas < workload.SpecReplicas ? ScaleDirection.Down : ScaleDirection.None,
        Outcome = DecisionOutcome.ApplyNow,
        Reason = message,
        RequiresTwoPersons = verdict.RequiresTwoPersons,
        Evidence = new DecisionEvidence { CurrentReplicas = workload.SpecReplicas, ReadyReplicas = workload.ReadyReplicas, BoundBy = boundBy },
    };

    public static Action ActionOf(ScaleProposal proposal) =>
        proposal.Metadata.Labels?.GetValueOrDefault(ActionLabel) is { } value && Enum.TryParse<Action>(value, ignoreCase: true, out var a)
            ? a
            : Action.Approval;

    /// <summary>
    /// Whether the proposal was put to the approvers, as a card: not an automatic step, nor an order its requester
    /// approved as they gave it (a pin or an undo applied at once). A request is approved by someone else.
    /// </summary>
    public static bool WasPutToApprovers(ScaleProposal proposal) =>
        ActionOf(proposal) != Action.Auto
        && (proposal.Status.History.FirstOrDefault(h => h.To == ProposalPhase.Approved) is not { } approved || approved.By != proposal.Spec.RequestedBy);

    public static WorkloadRef TargetOf(ScaleProposal proposal) =>
        new(proposal.Metadata.Namespace, proposal.Spec.Target.Kind, proposal.Spec.Target.Name);

    public static WorkloadRef TargetOf(ScalePolicy policy) =>
        new(policy.Metadata.Namespace, policy.Spec.Target.Kind, policy.Spec.Target.Name);

    public static DateTimeOffset CreatedAt(ScaleProposal p) =>
        p.Metadata.CreationTimestamp ?? p.Status.History.FirstOrDefault()?.At ?? p.Spec.ExpiresAt;

    private static ScaleProposal Label(ScaleProposal proposal, Action action) => proposal with
    {
        Metadata = proposal.Metadata with
        {
            Labels = new Dictionary<string, string>(proposal.Metadata.Labels ?? new Dictionary<string, string>())
            {
                [ActionLabel] = action.ToString().ToLowerInvariant(),
            },
        },
    };

    /// <summary>Core's time-ordered name plus a short random suffix: two proposals of one policy in the same second (or from two replicas) never collide.</summary>
    private static string UniqueName(ScalePolicy policy, DateTimeOffset now)
    {
        var name = ProposalLifecycle.NewName(policy.Metadata.Name, now);
        return $"{(name.Length > 240 ? name[..240] : name)}-{Random.Shared.Next(0x10000):x4}";
    }
}
