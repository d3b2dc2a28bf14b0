using System.Globalization;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// The ScaleProposal state machine as pure functions: each step takes a proposal and returns a new one, or refuses
/// with a reason and leaves it unchanged. Phases: Pending → Approved → Applying → Applied, and Rejected, Expired,
/// Superseded, Failed (all final). Approval rules: only listed approvers count, the same person counts once,
/// the two-person rule asks for two distinct approvers, a person who requested an override cannot approve it
/// alone, and an expired proposal cannot be approved.
/// </summary>
public static class ProposalLifecycle
{
    /// <summary>The user name the control loop acts as.</summary>
    public const string SystemUser = "scalecontrol";

    public static bool IsFinal(ProposalPhase phase) =>
        phase is ProposalPhase.Applied or ProposalPhase.Rejected or ProposalPhase.Expired or ProposalPhase.Superseded or ProposalPhase.Failed;

    /// <summary>A Kubernetes-safe, time-ordered proposal name: <c>policy-20261125-103205</c>.</summary>
    public static string NewName(string policyName, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var head = policyName.Length > 236 ? policyName[..236] : policyName;
        return $"{head}-{stamp}";
    }

    /// <summary>A new Pending proposal for a decision (or an override requested by a person).</summary>
    public static ScaleProposal Create(
        ScalePolicy policy,
        Decision decision,
        WorkloadState workload,
        DateTimeOffset now,
        string? name = null,
        string requestedBy = SystemUser)
    {
        var approval = policy.Spec.Approval ?? new ApprovalSpec();
        var required = ApprovalShaping.ApprovalsNeeded(approval.RequiredApprovals, decision.RequiresTwoPersons);
        return new ScaleProposal
        {
            Metadata = new ObjectMeta
            {
                Name = name ?? NewName(policy.Metadata.Name, now),
                Namespace = policy.Metadata.Namespace,
                CreationTimestamp = now,
                Labels = new Dictionary<string, string>
                {
                    ["scalecontrol.io/policy"] = policy.Metadata.Name,
                    ["scalecontrol.io/target"] = policy.Spec.Target.Name,
                },
            },
            Spec = new ScaleProposalSpec
            {
                PolicyName = policy.Metadata.Name,
                Target = policy.Spec.Target,
                FromReplicas = decision.CurrentReplicas,
                ToReplicas = decision.DesiredReplicas,
                AlternativeReplicas = decision.AlternativeReplicas,
                Reason = decision.Reason,
                Evidence = decision.Evidence,
                RequestedBy = requestedBy,
                RequiresTwoPersons = decision.RequiresTwoPersons,
                RequiredApprovals = required,
                Approvers = approval.Approvers,
                WorkloadResourceVersion = workload.ResourceVersion,
                ExpiresAt = now + TimeSpan.FromSeconds(approval.ExpirySeconds),
                EscalateAt = approval.Escalation is { } escalation ? now + TimeSpan.FromSeconds(escalation.AfterSeconds) : null,
                RejectBackoffSeconds = approval.RejectBackoffSeconds,
                Tolerance = policy.Spec.Tolerance,
                Group = policy.Spec.Group,
            },
            Status = new ScaleProposalStatus
            {
                Phase = ProposalPhase.Pending,
                Message = $"waiting for {required} approval(s)",
                History = [new PhaseTransition { From = null, To = ProposalPhase.Pending, At = now, By = requestedBy, Message = "proposed" }],
            },
        };
    }

    /// <summary>
    /// Records an approval. Accepted even when more approvals are still needed (the phase stays Pending);
    /// the phase becomes Approved once the rules are met — with <paramref name="counting"/>, once enough approvals
    /// count against the policy as it is now (<see cref="ApprovalCounting"/>), so a tap that falls short of it (an
    /// earlier approver removed from the roster, requiredApprovals raised) asks for another approval instead of
    /// claiming an apply that would fail. With <paramref name="recorded"/> (the host's seal check), the approval that
    /// completes the rules names and sizes the step from the approvals ScaleControl recorded and this one: what the
    /// applier will scale to (<see cref="ApprovedReplicas(ScaleProposal, Func{ApprovalRecord, bool})"/>), not a "more
    /// cautious" record written by hand beside them.
    /// </summary>
    public static TransitionResult Approve(
        ScaleProposal proposal, string user, ApprovalChannel channel, DateTimeOffset now, int? replicas = null, ApprovalCountRules? counting = null, Func<ApprovalRecord, bool>? recorded = null)
    {
        var spec = proposal.Spec;
        var status = proposal.Status;
        // An approval that does not count now (of an earlier ask, too old, not recorded by ScaleControl): its approver may
        // approve again (Reapproval). One that counts is given once.
        var earlier = status.Phase == ProposalPhase.Pending ? Reapproval.EarlierApproval(proposal, user, counting) : null;
        if (earlier is null && status.Approvals.Any(a => a.User == user) && status.Phase is ProposalPhase.Pending or ProposalPhase.Approved)
        {
            return TransitionResult.Same(proposal, $"{user} already approved this proposal; an approval counts once");
        }

        if (status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, AlreadyDecided("approve", proposal));
        }

        if (now >= spec.ExpiresAt)
        {
            return TransitionResult.No(proposal, $"cannot approve: the proposal expired at {Time(spec.ExpiresAt)}");
        }

        if (!MayDecide(proposal, user, approve: true, counting is null ? null : counting.Policy.Spec.Approval?.Approvers ?? []))
        {
            return TransitionResult.No(proposal, $"{user} is not an approver of this proposal");
        }

        var chosen = replicas ?? spec.ToReplicas;
        if (Granted(proposal, chosen) is not { } grant)
        {
            var offered = spec.AlternativeReplicas is { } alt ? $"{spec.ToReplicas} or {alt}" : spec.ToReplicas.ToString(CultureInfo.InvariantCulture);
            return TransitionResult.No(proposal, $"cannot approve {chosen} replicas: the proposal offers {offered}");
        }

        var (granted, partly) = grant;
        var fresh = new ApprovalRecord { User = user, Channel = channel, At = now, Replicas = granted };
        var approvals = status.Approvals.Append(fresh).ToArray();
        // The approval being recorded now is ScaleControl's own (it is sealed in the same write).
        var tally = counting is null ? null : ApprovalCounting.Tally(proposal, approvals, counting with { Recorded = a => ReferenceEquals(a, fresh) ? ApprovalSeal.ThisAsk : counting.Recorded(a) });
        var shortfall = tally is { } t && !t.IsEnough() && ApprovalCounting.SaysMoreThanTheTaps(t, spec) ? t : null;
        var missing = shortfall?.Describe() ?? MissingApprovals(spec, approvals);
        // Said to the person who approved again: what they approved now, and what before.
        var again = earlier is null ? "" : $"{Reapproval.Describe(spec, granted, earlier)}; ";
        if (missing is not null)
        {
            var pending = proposal with { Status = status with { Approvals = approvals, ApprovalTally = shortfall, Message = $"approved by {user}; {missing}" } };
            return TransitionResult.Ok(pending, $"{again}approval by {user} recorded; {missing}");
        }

        // The approval recorded now is sealed in the same write.
        var standing = Reapproval.Standing(spec, recorded is null ? approvals : [.. approvals.Where(a => ReferenceEquals(a, fresh) || recorded(a))]);
        var by = string.Join(", ", standing.Select(a => a.User));
        var agreed = ApprovedReplicas(standing)!.Value;
        var rest = partly && agreed != spec.ToReplicas ? $"; {agreed} → {spec.ToReplicas} stays pending (the target rose after the tap)" : "";
        var approved = Move(proposal with { Status = status with { Approvals = approvals, PartlyApproved = rest.Length > 0, ApprovalTally = null } }, ProposalPhase.Approved, now, user,
            $"approved by {by} ({agreed} replicas){rest}");
        return TransitionResult.Ok(approved, $"{again}{approved.Status.Message!}");
    }

    /// <summary>The count an approval of <paramref name="chosen"/> replicas would grant (<see cref="Granted"/>); null when it was never offered.</summary>
    public static int? GrantedReplicas(ScaleProposal proposal, int chosen) => Granted(proposal, chosen)?.Replicas;

    /// <summary>
    /// What an approval of <paramref name="chosen"/> replicas grants. An approval authorizes what the approver saw:
    /// the current target or half step as offered; an earlier target (the card was amended after they looked) grants
    /// that amount when the target has since moved further (the rest stays pending, <c>Partly</c>), or the current
    /// target when it has since come back (the lower number). Null when <paramref name="chosen"/> was never offered.
    /// </summary>
    private static (int Replicas, bool Partly)? Granted(ScaleProposal proposal, int chosen)
    {
        var spec = proposal.Spec;
        var amendments = proposal.Status.Amendments;
        var sawTarget = chosen != spec.ToReplicas && amendments.Any(a => a.FromTarget == chosen);
        if (!sawTarget && (chosen == spec.ToReplicas || chosen == spec.AlternativeReplicas))
        {
            return (chosen, false);
        }

        // An earlier target wins over a half step of the same number: the rest then waits for a decision rather than being dropped.
        if (!sawTarget && !amendments.Any(a => a.FromAlternative == chosen))
        {
            return null;
        }

        var up = spec.ToReplicas >= spec.FromReplicas;
        var further = up ? spec.ToReplicas > chosen : spec.ToReplicas < chosen;
        if (!further)
        {
            return (spec.ToReplicas, false);
        }

        // A stale half step is still the approver's "only this much": granted, and the rest is not kept pending.
        return up ? chosen > spec.FromReplicas ? (chosen, sawTarget) : null
            : chosen < spec.FromReplicas ? (chosen, sawTarget) : null;
    }

    /// <summary>
    /// Pending → Pending: the target moved while the proposal waited. The same proposal (and card) now asks for the
    /// newer target; the change is recorded. Refused when the newer decision goes the other way or starts elsewhere
    /// (that is a new question: supersede instead).
    /// </summary>
    public static TransitionResult Amend(ScaleProposal proposal, Decision newer, DateTimeOffset now)
    {
        var spec = proposal.Spec;
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, AlreadyDecided("amend", proposal));
        }

        var up = spec.ToReplicas > spec.FromReplicas;
        var sameWay = newer.Direction == (up ? ScaleDirection.Up : ScaleDirection.Down);
        if (!sameWay || newer.CurrentReplicas != spec.FromReplicas)
        {
            return TransitionResult.No(proposal, $"cannot amend: {newer.CurrentReplicas} → {newer.DesiredReplicas} is not the same question as {spec.FromReplicas} → {spec.ToReplicas}");
        }

        if (newer.DesiredReplicas == spec.ToReplicas)
        {
            return TransitionResult.Same(proposal, $"the proposal already asks for {spec.ToReplicas}");
        }

        var amendment = new AmendmentRecord
        {
            At = now,
            FromTarget = spec.ToReplicas,
            ToTarget = newer.DesiredReplicas,
            FromAlternative = spec.AlternativeReplicas,
            Reason = newer.Reason,
            FromReason = proposal.Status.Amendments.Count == 0 ? spec.Reason : null,
        };
        var required = ApprovalShaping.ApprovalsNeeded(spec.RequiredApprovals, newer.RequiresTwoPersons);
        var message = $"updated {Time(now)}: {spec.ToReplicas} → {newer.DesiredReplicas}";
        var amended = proposal with
        {
            Spec = spec with
            {
                ToReplicas = newer.DesiredReplicas,
                AlternativeReplicas = newer.AlternativeReplicas,
                Reason = newer.Reason,
                Evidence = newer.Evidence,
                RequiresTwoPersons = spec.RequiresTwoPersons || newer.RequiresTwoPersons,
                RequiredApprovals = required,
            },
            Status = proposal.Status with { Amendments = [.. proposal.Status.Amendments, amendment], Message = message },
        };
        return TransitionResult.Ok(amended, message);
    }

    /// <summary>Hybrid/Auto: the control loop approves its own in-guardrail step, recorded as an Auto approval.</summary>
    public static TransitionResult ApproveAutomatically(ScaleProposal proposal, DateTimeOffset now, string message = "within the automatic step")
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, AlreadyDecided("approve", proposal));
        }

        var approval = new ApprovalRecord { User = SystemUser, Channel = ApprovalChannel.Auto, At = now, Replicas = proposal.Spec.ToReplicas };
        var approved = Move(proposal with { Status = proposal.Status with { Approvals = [.. proposal.Status.Approvals, approval] } },
            ProposalPhase.Approved, now, SystemUser, $"approved automatically: {message}");
        return TransitionResult.Ok(approved, approved.Status.Message!);
    }

    /// <summary>
    /// A pin: the operator who asked for it approves it at once (Pending → Approved). The caller has checked the
    /// operator's role; the approver roster does not apply, because a pin is an order, not a request.
    /// </summary>
    public static TransitionResult Pin(ScaleProposal proposal, string user, DateTimeOffset now, string message, ApprovalChannel channel = ApprovalChannel.Api)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, AlreadyDecided("pin", proposal));
        }

        var approval = new ApprovalRecord { User = user, Channel = channel, At = now, Replicas = proposal.Spec.ToReplicas };
        var pinned = Move(proposal with { Status = proposal.Status with { Approvals = [.. proposal.Status.Approvals, approval] } },
            ProposalPhase.Approved, now, user, message);
        return TransitionResult.Ok(pinned, message);
    }

    /// <summary>
    /// Who decided a proposal that no longer waits, in words: <c>rejected by lisi</c>, <c>approved by zhangsan, lisi</c>;
    /// null when no person did (it expired, or was superseded or withdrawn by the loop).
    /// </summary>
    public static string? DecidedBy(ScaleProposal proposal) => proposal.Status switch
    {
        { Rejection: { } rejection } => $"rejected by {rejection.User}",
        { Approvals.Count: > 0 } status => $"approved by {string.Join(", ", status.Approvals.Select(a => a.User).Distinct(StringComparer.Ordinal))}",
        _ => null,
    };

    /// <summary>
    /// "cannot reject: the proposal is already Applied (approved by zhangsan)": the one who lost a race to another
    /// decision (a tap and a chat command at once) learns who decided, whatever the channel.
    /// </summary>
    private static string AlreadyDecided(string verb, ScaleProposal proposal) =>
        $"cannot {verb}: the proposal is already {proposal.Status.Phase}" + (DecidedBy(proposal) is { } by ? $" ({by})" : "");

    /// <summary>
    /// Whether <paramref name="user"/> may approve (an approver) or reject (an approver, or the requester withdrawing their
    /// own request). With <paramref name="rosterNow"/>, the policy's approvers as they are now, an approver is one on it
    /// (<see cref="ApprovalCounting.OnRoster"/>, the rule the applier counts by): one added since the card was sent (the
    /// rota changed in a storm) may decide it, one dropped may not. Without it, the approvers the proposal was sent to.
    /// </summary>
    public static bool MayDecide(ScaleProposal proposal, string user, bool approve, IReadOnlyList<string>? rosterNow = null) =>
        (rosterNow is null ? proposal.Spec.Approvers.Contains(user, StringComparer.Ordinal) : ApprovalCounting.OnRoster(proposal, rosterNow, user))
        || (!approve && user == proposal.Spec.RequestedBy && user != SystemUser);

    /// <summary>
    /// Why <paramref name="user"/>, who could decide the proposal as it was sent, may not any more: dropped from the
    /// policy's roster since (<paramref name="rosterNow"/>, see <see cref="MayDecide"/>): "lisi is no longer an approver
    /// of policy checkout-api (approvers: zhangsan)". The tap refuses with it and the proposal waits for the others.
    /// Null when the user may still decide, was never asked (<see cref="Approve"/> and <see cref="Reject"/> say so), or
    /// the roster now is unknown (no policy, or one that cannot be read).
    /// </summary>
    public static string? DroppedFromRoster(ScaleProposal proposal, string user, bool approve, IReadOnlyList<string>? rosterNow) =>
        rosterNow is not null && MayDecide(proposal, user, approve) && !MayDecide(proposal, user, approve, rosterNow)
            ? $"{user} is no longer an approver of policy {proposal.Spec.PolicyName} (approvers: {(rosterNow.Count > 0 ? string.Join(", ", rosterNow) : "none")})"
            : null;

    /// <summary>One approver (on <paramref name="rosterNow"/> when given, see <see cref="MayDecide"/>) or the requester withdrawing rejects: the proposal is closed.</summary>
    public static TransitionResult Reject(ScaleProposal proposal, string user, ApprovalChannel channel, DateTimeOffset now, string? reason = null, IReadOnlyList<string>? rosterNow = null)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, AlreadyDecided("reject", proposal));
        }

        if (!MayDecide(proposal, user, approve: false, rosterNow))
        {
            return TransitionResult.No(proposal, $"{user} is not an approver of this proposal");
        }

        var text = string.IsNullOrWhiteSpace(reason) ? "" : reason.Trim();
        var rejected = Move(
            proposal with { Status = proposal.Status with { Rejection = new RejectionRecord { User = user, Channel = channel, At = now, Reason = text } } },
            ProposalPhase.Rejected, now, user, text.Length > 0 ? $"rejected by {user}: {text}" : $"rejected by {user}");
        return TransitionResult.Ok(rejected, rejected.Status.Message!);
    }

    /// <summary>Closes a Pending proposal whose expiry has passed.</summary>
    public static TransitionResult Expire(ScaleProposal proposal, DateTimeOffset now)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, $"cannot expire: the proposal is already {proposal.Status.Phase}");
        }

        if (now < proposal.Spec.ExpiresAt)
        {
            return TransitionResult.No(proposal, $"cannot expire: the proposal is valid until {Time(proposal.Spec.ExpiresAt)}");
        }

        var expired = Move(proposal, ProposalPhase.Expired, now, SystemUser, $"expired at {Time(proposal.Spec.ExpiresAt)} without enough approvals; nothing changed");
        return TransitionResult.Ok(expired, expired.Status.Message!);
    }

    /// <summary>
    /// Whether a newer decision for the same workload differs from the pending proposal beyond the tolerance
    /// (relative to the proposed count) or points the other way.
    /// </summary>
    public static bool ShouldSupersede(ScaleProposal proposal, Decision newer, double tolerance)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return false;
        }

        var proposedUp = proposal.Spec.ToReplicas > proposal.Spec.FromReplicas;
        if (newer.Direction == ScaleDirection.None || (newer.Direction == ScaleDirection.Up) != proposedUp)
        {
            return true;
        }

        var to = Math.Max(1, proposal.Spec.ToReplicas);
        return Math.Abs(newer.DesiredReplicas - proposal.Spec.ToReplicas) > tolerance * to;
    }

    /// <summary>Pending → Superseded by <paramref name="by"/>, recording what <paramref name="by"/> asks for (a pin changes the replicas).</summary>
    public static TransitionResult Supersede(ScaleProposal proposal, ScaleProposal by, DateTimeOffset now, string? why = null)
    {
        var result = Supersede(proposal, by.Metadata.Name, now, why);
        var record = new SupersessionRecord
        {
            Action = ProposalFactory.ActionOf(by).ToString().ToLowerInvariant(),
            ToReplicas = by.Spec.ToReplicas,
            By = by.Spec.RequestedBy,
        };
        return result.Accepted ? result with { Proposal = result.Proposal with { Status = result.Proposal.Status with { Supersession = record } } } : result;
    }

    public static TransitionResult Supersede(ScaleProposal proposal, string supersededBy, DateTimeOffset now, string? why = null)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, $"cannot supersede: the proposal is already {proposal.Status.Phase}");
        }

        var superseded = Move(proposal with { Status = proposal.Status with { SupersededBy = supersededBy } }, ProposalPhase.Superseded, now, SystemUser,
            why is null ? $"superseded by {supersededBy}" : $"superseded by {supersededBy}: {why}");
        return TransitionResult.Ok(superseded, superseded.Status.Message!);
    }

    /// <summary>The <see cref="SupersessionRecord.Action"/> of a proposal closed because nothing asks for it any more.</summary>
    public const string WithdrawnAction = "withdrawn";

    /// <summary>
    /// Pending → Superseded with no successor: the policy's latest decision no longer asks for the change
    /// (<see cref="ProposalRules.NoLongerNeeded"/>, <see cref="ProposalRules.Withdrawal"/>), or the policy no longer governs
    /// it (<see cref="ProposalRules.Ungoverned"/>); <paramref name="why"/> says what it asks now, or why it does not.
    /// </summary>
    public static TransitionResult Withdraw(ScaleProposal proposal, string why, DateTimeOffset now, string by = SystemUser)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, $"cannot withdraw: the proposal is already {proposal.Status.Phase}");
        }

        var withdrawn = Move(proposal with { Status = proposal.Status with { Supersession = new SupersessionRecord { Action = WithdrawnAction, ToReplicas = proposal.Spec.FromReplicas, By = by } } },
            ProposalPhase.Superseded, now, by, $"no longer needed: {why}");
        return TransitionResult.Ok(withdrawn, withdrawn.Status.Message!);
    }

    /// <summary>Approved → Applying, right before the (conditional) scale write.</summary>
    public static TransitionResult StartApplying(ScaleProposal proposal, DateTimeOffset now, string by = SystemUser, Func<ApprovalRecord, bool>? recorded = null)
    {
        if (proposal.Status.Phase != ProposalPhase.Approved)
        {
            return TransitionResult.No(proposal, $"cannot apply: the proposal is {proposal.Status.Phase}, not Approved");
        }

        var replicas = ApprovedReplicas(proposal, recorded) ?? proposal.Spec.ToReplicas;
        var applying = Move(proposal, ProposalPhase.Applying, now, by, $"scaling {proposal.Spec.FromReplicas} → {replicas}");
        return TransitionResult.Ok(applying, applying.Status.Message!);
    }

    /// <summary>
    /// Applying → Applying under a new claim, when the replica that claimed the proposal stopped before recording the
    /// outcome (its claim is older than <paramref name="claimTimeout"/>): the approval is not lost, the apply resumes.
    /// The resumed apply re-reads the workload, so a scale the stopped replica already wrote is not written twice.
    /// </summary>
    public static TransitionResult ResumeApplying(ScaleProposal proposal, DateTimeOffset now, TimeSpan claimTimeout, string by = SystemUser, Func<ApprovalRecord, bool>? recorded = null)
    {
        if (proposal.Status.Phase != ProposalPhase.Applying)
        {
            return TransitionResult.No(proposal, $"cannot resume: the proposal is {proposal.Status.Phase}, not Applying");
        }

        var claimedAt = proposal.Status.History.LastOrDefault()?.At ?? DateTimeOffset.MinValue;
        if (now - claimedAt < claimTimeout)
        {
            return TransitionResult.No(proposal, $"cannot resume: the apply claimed at {Time(claimedAt)} may still be running");
        }

        var replicas = ApprovedReplicas(proposal, recorded) ?? proposal.Spec.ToReplicas;
        var why = proposal.Status.History.LastOrDefault()?.Message.StartsWith(NotScaledYet, StringComparison.Ordinal) == true
            ? $"its apply was interrupted at {Time(claimedAt)}"
            : $"the replica applying it stopped at {Time(claimedAt)}";
        var resumed = Move(proposal, ProposalPhase.Applying, now, by, $"resuming {proposal.Spec.FromReplicas} → {replicas}: {why}");
        return TransitionResult.Ok(resumed, resumed.Status.Message!);
    }

    /// <summary>How an interrupted apply's history entry starts: its resume says so instead of "the replica stopped".</summary>
    private const string NotScaledYet = "not scaled yet";

    /// <summary>
    /// Applying → Applying, nothing written: what the apply must read right before the scale write could not be read
    /// (<paramref name="reason"/>, e.g. the API server answered 500). The decision is kept under a claim dated now,
    /// which the leader resumes after the claim timeout (<see cref="ResumeApplying"/>), re-reading everything.
    /// </summary>
    public static TransitionResult InterruptApplying(ScaleProposal proposal, DateTimeOffset now, string reason, string by = SystemUser, Func<ApprovalRecord, bool>? recorded = null)
    {
        if (proposal.Status.Phase != ProposalPhase.Applying)
        {
            return TransitionResult.No(proposal, $"cannot interrupt: the proposal is {proposal.Status.Phase}, not Applying");
        }

        var replicas = ApprovedReplicas(proposal, recorded) ?? proposal.Spec.ToReplicas;
        var interrupted = Move(proposal, ProposalPhase.Applying, now, by,
            $"{NotScaledYet} ({proposal.Spec.FromReplicas} → {replicas}): {reason}; nothing was written, the apply is resumed later");
        return TransitionResult.Ok(interrupted, interrupted.Status.Message!);
    }

    /// <summary>Whether <paramref name="current"/> still carries the apply claim taken in <paramref name="claimed"/> (nobody resumed it since).</summary>
    public static bool HoldsClaim(ScaleProposal current, ScaleProposal claimed) =>
        current.Status.Phase == ProposalPhase.Applying
        && current.Status.History.Count == claimed.Status.History.Count
        && current.Status.History.LastOrDefault() == claimed.Status.History.LastOrDefault();

    public static TransitionResult MarkApplied(ScaleProposal proposal, int replicas, DateTimeOffset now, string by = SystemUser)
    {
        if (proposal.Status.Phase != ProposalPhase.Applying)
        {
            return TransitionResult.No(proposal, $"cannot mark applied: the proposal is {proposal.Status.Phase}, not Applying");
        }

        var spec = proposal.Spec;
        if (proposal.Status.PartlyApproved && replicas != spec.ToReplicas)
        {
            // The approved part is in; the rest of the (amended) target waits on the same proposal and card.
            var rest = proposal with
            {
                Spec = spec with { FromReplicas = replicas, AlternativeReplicas = null },
                Status = proposal.Status with
                {
                    AppliedReplicas = replicas,
                    AppliedAt = now,
                    Approvals = [],
                    PartlyApproved = false,
                    // The rest needs an approval of its own; who approved this part stays on the record.
                    AppliedSteps = [.. proposal.Status.AppliedSteps, new AppliedStep { From = spec.FromReplicas, To = replicas, At = now, Approvals = proposal.Status.Approvals }],
                },
            };
            var partly = Move(rest, ProposalPhase.Pending, now, by, $"applied {spec.FromReplicas} → {replicas}; {replicas} → {spec.ToReplicas} awaits approval");
            return TransitionResult.Ok(partly, partly.Status.Message!);
        }

        var applied = Move(proposal with { Status = proposal.Status with { AppliedReplicas = replicas, AppliedAt = now, AppliedCapacity = AppliedCost.Part(spec, replicas) } },
            ProposalPhase.Applied, now, by, $"applied {spec.FromReplicas} → {replicas}");
        return TransitionResult.Ok(applied, applied.Status.Message!);
    }

    /// <summary>
    /// An applied change was undone by <paramref name="undo"/> (applied): the record says by whom and when, the card stops
    /// offering Undo, and the change counts as refused (<see cref="ProposalRules.RefusedAt"/>), so the loop does not
    /// propose the same step again within the policy's back-off. The phase stays Applied: the change did happen.
    /// </summary>
    public static TransitionResult MarkUndone(ScaleProposal proposal, ScaleProposal undo, DateTimeOffset now)
    {
        if (proposal.Status.Phase != ProposalPhase.Applied)
        {
            return TransitionResult.No(proposal, $"cannot mark undone: the proposal is {proposal.Status.Phase}, not Applied");
        }

        if (proposal.Status.Undo is not null)
        {
            return TransitionResult.Same(proposal, $"already undone by {proposal.Status.Undo.By} ({proposal.Status.Undo.Proposal})");
        }

        var by = undo.Spec.RequestedBy;
        var record = new UndoRecord
        {
            Proposal = undo.Metadata.Name,
            By = by,
            Channel = undo.Status.Approvals.FirstOrDefault(a => a.User == by)?.Channel ?? undo.Status.Approvals.FirstOrDefault()?.Channel ?? ApprovalChannel.Api,
            At = now,
            Replicas = undo.Status.AppliedReplicas ?? undo.Spec.ToReplicas,
        };
        var undone = Move(proposal with { Status = proposal.Status with { Undo = record } },
            ProposalPhase.Applied, now, by, $"undone by {by}: back to {record.Replicas} (proposal {undo.Metadata.Name})");
        return TransitionResult.Ok(undone, undone.Status.Message!);
    }

    /// <summary>
    /// An applied change stopped offering Undo before anyone undid it (<see cref="UndoRules.Withdrawal"/>: the workload
    /// moved on, or the window ended). The record says why; the card drops its Undo button and says so; a tap on an old
    /// card's Undo is refused with it. The phase stays Applied: the change did happen.
    /// </summary>
    public static TransitionResult WithdrawUndo(ScaleProposal proposal, UndoWithdrawal withdrawal, DateTimeOffset now)
    {
        if (proposal.Status.Phase != ProposalPhase.Applied)
        {
            return TransitionResult.No(proposal, $"cannot withdraw undo: the proposal is {proposal.Status.Phase}, not Applied");
        }

        if (proposal.Status.UndoWithdrawn is { } earlier)
        {
            return TransitionResult.Same(proposal, $"undo is no longer offered already: {earlier.Message}");
        }

        if (proposal.Status.Undo is { } undo)
        {
            return TransitionResult.No(proposal, $"cannot withdraw undo: already undone by {undo.By} ({undo.Proposal})");
        }

        var withdrawn = Move(proposal with { Status = proposal.Status with { UndoWithdrawn = withdrawal } },
            ProposalPhase.Applied, now, SystemUser, $"undo no longer offered: {withdrawal.Message}");
        return TransitionResult.Ok(withdrawn, withdrawn.Status.Message!);
    }

    /// <summary>
    /// Approved or Applying → Pending, nothing written: the last check before the scale write found too few approvals
    /// that count now (<see cref="ApprovalCounting"/>: an approver removed from the roster since they tapped, the
    /// policy's requiredApprovals raised). Safety first, so it is not applied; but the approvals are not lost either:
    /// the proposal waits for another approval under its own expiry and escalation, its card saying how many count.
    /// Refused once the proposal has expired (the caller marks it failed: the loop asks again if still needed).
    /// </summary>
    public static TransitionResult AwaitApprovals(ScaleProposal proposal, ApprovalTally tally, DateTimeOffset now, string by = SystemUser)
    {
        if (proposal.Status.Phase is not (ProposalPhase.Approved or ProposalPhase.Applying))
        {
            return TransitionResult.No(proposal, $"cannot wait for more approvals: the proposal is {proposal.Status.Phase}, not Approved or Applying");
        }

        if (tally.IsEnough())
        {
            return TransitionResult.No(proposal, $"cannot wait for more approvals: {tally.Describe()} is enough");
        }

        if (now >= proposal.Spec.ExpiresAt)
        {
            return TransitionResult.No(proposal, $"cannot wait for more approvals: the proposal expired at {Time(proposal.Spec.ExpiresAt)}");
        }

        var waiting = Move(proposal with { Status = proposal.Status with { ApprovalTally = tally, PartlyApproved = false } },
            ProposalPhase.Pending, now, by, $"not applied: {tally.Describe()}");
        return TransitionResult.Ok(waiting, waiting.Status.Message!);
    }

    /// <summary>Approved or Applying → Failed (the re-check before applying failed, or the scale write did).</summary>
    public static TransitionResult MarkFailed(ScaleProposal proposal, string reason, DateTimeOffset now, string by = SystemUser)
    {
        if (proposal.Status.Phase is not (ProposalPhase.Approved or ProposalPhase.Applying))
        {
            return TransitionResult.No(proposal, $"cannot mark failed: the proposal is {proposal.Status.Phase}, not Approved or Applying");
        }

        var failed = Move(proposal, ProposalPhase.Failed, now, by, $"failed: {reason}");
        return TransitionResult.Ok(failed, failed.Status.Message!);
    }

    /// <summary>
    /// The replicas the approvers of <paramref name="proposal"/> agreed to: the most cautious choice among the approvals
    /// that stand (<see cref="Reapproval.Standing"/>: one of an earlier ask its approver approved again since does not).
    /// With <paramref name="recorded"/> (the host's seal check), only approvals ScaleControl recorded: a record written by
    /// hand never sizes the step, not even down.
    /// </summary>
    public static int? ApprovedReplicas(ScaleProposal proposal, Func<ApprovalRecord, bool>? recorded = null) =>
        ApprovedReplicas(Reapproval.Standing(proposal.Spec, recorded is null ? proposal.Status.Approvals : [.. proposal.Status.Approvals.Where(recorded)]));

    /// <summary>The replicas the approvers agreed to: the most cautious choice among them (closest to the current count).</summary>
    public static int? ApprovedReplicas(IReadOnlyList<ApprovalRecord> approvals)
    {
        int? best = null;
        foreach (var a in approvals)
        {
            best = best is null ? a.Replicas : Math.Min(best.Value, a.Replicas);
        }

        return best;
    }

    /// <summary>
    /// A new proposal joins a group card as a row: the card, the expiry and the escalation time are the first row's
    /// (one card, one expiry, one DING for the group's pending rows, even when the first row was decided by then).
    /// </summary>
    public static ScaleProposal JoinCard(ScaleProposal proposal, ScaleProposal lead) => proposal with
    {
        Spec = proposal.Spec with { ExpiresAt = lead.Spec.ExpiresAt, EscalateAt = lead.Spec.EscalateAt },
        Status = proposal.Status with { Card = lead.Status.Card, Message = $"{proposal.Status.Message}; on the group card of {lead.Metadata.Name}" },
    };

    public static ScaleProposal WithCard(ScaleProposal proposal, CardReference card) =>
        proposal with { Status = proposal.Status with { Card = card } };

    public static ScaleProposal WithEscalation(ScaleProposal proposal, EscalationRecord escalation) =>
        proposal with { Status = proposal.Status with { Escalations = [.. proposal.Status.Escalations, escalation] } };

    /// <summary>
    /// Records that <paramref name="users"/>, added to the roster since the card was sent, were @-mentioned; those already
    /// recorded are not added again. Only while the proposal waits: a decided one asks nobody.
    /// </summary>
    public static ScaleProposal? WithRosterMentions(ScaleProposal proposal, IEnumerable<string> users, DateTimeOffset at)
    {
        var called = ApproverRoster.Called(proposal).ToHashSet(StringComparer.Ordinal);
        return WithRosterRecords(proposal, users.Where(called.Add).Select(user => new RosterMention { User = user, At = at }));
    }

    /// <summary>
    /// Records that <paramref name="users"/>, whom the card called, were dropped from the roster since: its on-call line
    /// stops naming them. Those it no longer calls are not recorded again. Only while the proposal waits.
    /// </summary>
    public static ScaleProposal? WithRosterDrops(ScaleProposal proposal, IEnumerable<string> users, DateTimeOffset at)
    {
        var called = ApproverRoster.Called(proposal).ToHashSet(StringComparer.Ordinal);
        return WithRosterRecords(proposal, users.Where(called.Remove).Select(user => new RosterMention { User = user, At = at, Dropped = true }));
    }

    private static ScaleProposal? WithRosterRecords(ScaleProposal proposal, IEnumerable<RosterMention> records)
    {
        var added = records.ToList();
        return proposal.Status.Phase != ProposalPhase.Pending || added.Count == 0
            ? null
            : proposal with { Status = proposal.Status with { RosterMentions = [.. proposal.Status.RosterMentions, .. added] } };
    }

    /// <summary>Null when the approvals suffice; otherwise what is still missing, in words.</summary>
    private static string? MissingApprovals(ScaleProposalSpec spec, IReadOnlyList<ApprovalRecord> approvals)
    {
        var distinct = approvals.Select(a => a.User).Distinct(StringComparer.Ordinal).Count();
        var required = ApprovalShaping.ApprovalsNeeded(spec.RequiredApprovals, spec.RequiresTwoPersons);
        if (distinct < required)
        {
            var rule = spec.RequiresTwoPersons ? " (two-person rule)" : "";
            return $"{required - distinct} more approval(s) needed{rule}";
        }

        var requester = spec.RequestedBy;
        if (requester != SystemUser && approvals.All(a => a.User == requester))
        {
            return $"{requester} requested this override and cannot approve it alone; another approver is needed";
        }

        return null;
    }

    private static ScaleProposal Move(ScaleProposal proposal, ProposalPhase to, DateTimeOffset now, string by, string message) =>
        proposal with
        {
            Status = proposal.Status with
            {
                Phase = to,
                Message = message,
                History = [.. proposal.Status.History, new PhaseTransition { From = proposal.Status.Phase, To = to, At = now, By = by, Message = message }],
            },
        };

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
