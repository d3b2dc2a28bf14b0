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
        var required = Math.Max(approval.RequiredApprovals, decision.RequiresTwoPersons ? 2 : 1);
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
            },
            Status = new ScaleProposalStatus
            {
                Phase = ProposalPhase.Pending,
                Message = $"waiting for {required} approval(s)",
                History = [new PhaseTransition { From = ProposalPhase.Pending, To = ProposalPhase.Pending, At = now, By = requestedBy, Message = "proposed" }],
            },
        };
    }

    /// <summary>
    /// Records an approval. Accepted even when more approvals are still needed (the phase stays Pending);
    /// the phase becomes Approved once the rules are met.
    /// </summary>
    public static TransitionResult Approve(ScaleProposal proposal, string user, ApprovalChannel channel, DateTimeOffset now, int? replicas = null)
    {
        var spec = proposal.Spec;
        var status = proposal.Status;
        if (status.Approvals.Any(a => a.User == user) && status.Phase is ProposalPhase.Pending or ProposalPhase.Approved)
        {
            return TransitionResult.Same(proposal, $"{user} already approved this proposal; an approval counts once");
        }

        if (status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, $"cannot approve: the proposal is already {status.Phase}");
        }

        if (now >= spec.ExpiresAt)
        {
            return TransitionResult.No(proposal, $"cannot approve: the proposal expired at {Time(spec.ExpiresAt)}");
        }

        if (!spec.Approvers.Contains(user, StringComparer.Ordinal))
        {
            return TransitionResult.No(proposal, $"{user} is not an approver of this proposal");
        }

        var chosen = replicas ?? spec.ToReplicas;
        if (chosen != spec.ToReplicas && chosen != spec.AlternativeReplicas)
        {
            var offered = spec.AlternativeReplicas is { } alt ? $"{spec.ToReplicas} or {alt}" : spec.ToReplicas.ToString(CultureInfo.InvariantCulture);
            return TransitionResult.No(proposal, $"cannot approve {chosen} replicas: the proposal offers {offered}");
        }

        var approvals = status.Approvals.Append(new ApprovalRecord { User = user, Channel = channel, At = now, Replicas = chosen }).ToArray();
        var missing = MissingApprovals(spec, approvals);
        if (missing is not null)
        {
            var pending = proposal with { Status = status with { Approvals = approvals, Message = $"approved by {user}; {missing}" } };
            return TransitionResult.Ok(pending, $"approval by {user} recorded; {missing}");
        }

        var by = string.Join(", ", approvals.Select(a => a.User));
        var approved = Move(proposal with { Status = status with { Approvals = approvals } }, ProposalPhase.Approved, now, user,
            $"approved by {by} ({ApprovedReplicas(approvals)} replicas)");
        return TransitionResult.Ok(approved, approved.Status.Message!);
    }

    /// <summary>Hybrid/Auto: the control loop approves its own in-guardrail step, recorded as an Auto approval.</summary>
    public static TransitionResult ApproveAutomatically(ScaleProposal proposal, DateTimeOffset now, string message = "within the automatic step")
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, $"cannot approve: the proposal is already {proposal.Status.Phase}");
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
    public static TransitionResult Pin(ScaleProposal proposal, string user, DateTimeOffset now, string message)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, $"cannot pin: the proposal is already {proposal.Status.Phase}");
        }

        var approval = new ApprovalRecord { User = user, Channel = ApprovalChannel.Api, At = now, Replicas = proposal.Spec.ToReplicas };
        var pinned = Move(proposal with { Status = proposal.Status with { Approvals = [.. proposal.Status.Approvals, approval] } },
            ProposalPhase.Approved, now, user, message);
        return TransitionResult.Ok(pinned, message);
    }

    /// <summary>One listed approver (or the requester withdrawing) rejects: the proposal is closed.</summary>
    public static TransitionResult Reject(ScaleProposal proposal, string user, ApprovalChannel channel, DateTimeOffset now, string? reason = null)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending)
        {
            return TransitionResult.No(proposal, $"cannot reject: the proposal is already {proposal.Status.Phase}");
        }

        var isRequester = user == proposal.Spec.RequestedBy && user != SystemUser;
        if (!isRequester && !proposal.Spec.Approvers.Contains(user, StringComparer.Ordinal))
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

    /// <summary>Approved → Applying, right before the (conditional) scale write.</summary>
    public static TransitionResult StartApplying(ScaleProposal proposal, DateTimeOffset now, string by = SystemUser)
    {
        if (proposal.Status.Phase != ProposalPhase.Approved)
        {
            return TransitionResult.No(proposal, $"cannot apply: the proposal is {proposal.Status.Phase}, not Approved");
        }

        var replicas = ApprovedReplicas(proposal.Status.Approvals) ?? proposal.Spec.ToReplicas;
        var applying = Move(proposal, ProposalPhase.Applying, now, by, $"scaling {proposal.Spec.FromReplicas} → {replicas}");
        return TransitionResult.Ok(applying, applying.Status.Message!);
    }

    /// <summary>
    /// Applying → Applying under a new claim, when the replica that claimed the proposal stopped before recording the
    /// outcome (its claim is older than <paramref name="claimTimeout"/>): the approval is not lost, the apply resumes.
    /// The resumed apply re-reads the workload, so a scale the stopped replica already wrote is not written twice.
    /// </summary>
    public static TransitionResult ResumeApplying(ScaleProposal proposal, DateTimeOffset now, TimeSpan claimTimeout, string by = SystemUser)
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

        var replicas = ApprovedReplicas(proposal.Status.Approvals) ?? proposal.Spec.ToReplicas;
        var resumed = Move(proposal, ProposalPhase.Applying, now, by,
            $"resuming {proposal.Spec.FromReplicas} → {replicas}: the replica applying it stopped at {Time(claimedAt)}");
        return TransitionResult.Ok(resumed, resumed.Status.Message!);
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

        var applied = Move(proposal with { Status = proposal.Status with { AppliedReplicas = replicas, AppliedAt = now } },
            ProposalPhase.Applied, now, by, $"applied {proposal.Spec.FromReplicas} → {replicas}");
        return TransitionResult.Ok(applied, applied.Status.Message!);
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

    public static ScaleProposal WithCard(ScaleProposal proposal, CardReference card) =>
        proposal with { Status = proposal.Status with { Card = card } };

    public static ScaleProposal WithEscalation(ScaleProposal proposal, EscalationRecord escalation) =>
        proposal with { Status = proposal.Status with { Escalations = [.. proposal.Status.Escalations, escalation] } };

    /// <summary>Null when the approvals suffice; otherwise what is still missing, in words.</summary>
    private static string? MissingApprovals(ScaleProposalSpec spec, IReadOnlyList<ApprovalRecord> approvals)
    {
        var distinct = approvals.Select(a => a.User).Distinct(StringComparer.Ordinal).Count();
        var required = Math.Max(spec.RequiredApprovals, spec.RequiresTwoPersons ? 2 : 1);
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
