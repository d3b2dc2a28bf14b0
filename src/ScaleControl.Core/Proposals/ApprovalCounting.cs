using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// What approvals count against: the policy as it is now, whether ScaleControl recorded a record and for which ask (its
/// seal: the host holds the key), how old an approval may be, and the time now.
/// </summary>
public sealed record ApprovalCountRules(ScalePolicy Policy, Func<ApprovalRecord, ApprovalSeal> Recorded, TimeSpan MaxAge, DateTimeOffset Now);

/// <summary>What an approval's seal says about it (the host checks it: <see cref="ApprovalRecord.Signature"/>).</summary>
public enum ApprovalSeal
{
    /// <summary>ScaleControl did not record it as it stands: written by hand, copied, edited, or sealed with a retired key.</summary>
    NotRecorded,

    /// <summary>Recorded by ScaleControl for what the proposal asks now.</summary>
    ThisAsk,

    /// <summary>
    /// Recorded by ScaleControl for what the proposal asked before it changed in place (amended, or a part applied):
    /// genuine, but it approved another step than the one asked now, so it does not count toward it.
    /// </summary>
    EarlierAsk,
}

/// <summary>
/// "Enough valid approvals now?" — one rule for the tap (before it claims the apply) and the applier's last check
/// (right before the scale write). An approval counts when ScaleControl recorded it for what the proposal asks now
/// (one given before the proposal was amended approved another step: it is kept, not counted), its approver is on the policy's
/// roster as it is now (or it is the loop's own approval of an automatic step, or the requester's of a pin or undo on a
/// policy without roster) and it is recent enough; a person counts once. The proposal needs its own count and no fewer
/// than the policy's requiredApprovals now. An approval that does not count stays on the record: who, when and how.
/// </summary>
public static class ApprovalCounting
{
    public static ApprovalTally Tally(ScaleProposal proposal, ApprovalCountRules rules) => Tally(proposal, proposal.Status.Approvals, rules);

    public static ApprovalTally Tally(ScaleProposal proposal, IReadOnlyList<ApprovalRecord> approvals, ApprovalCountRules rules)
    {
        var roster = rules.Policy.Spec.Approval?.Approvers ?? [];
        var counted = new HashSet<string>(StringComparer.Ordinal);
        var notCounted = new List<UncountedApproval>();
        foreach (var approval in approvals)
        {
            if (Cause(proposal, roster, approval, rules) is { } why)
            {
                notCounted.Add(new UncountedApproval { User = approval.User, Cause = why });
            }
            else
            {
                counted.Add(approval.User);
            }
        }

        // One whose approval counts is counted: an earlier one of theirs that does not (of an earlier ask, too old, not
        // recorded by ScaleControl) is history on the record, not a shortfall.
        notCounted.RemoveAll(n => counted.Contains(n.User));
        return new ApprovalTally { Counted = counted.Count, Required = Required(proposal, rules.Policy), NotCounted = notCounted };
    }

    /// <summary>Why <paramref name="approval"/> does not count now under <paramref name="rules"/>; null when it counts.</summary>
    public static UncountedCause? Cause(ScaleProposal proposal, ApprovalRecord approval, ApprovalCountRules rules) =>
        Cause(proposal, rules.Policy.Spec.Approval?.Approvers ?? [], approval, rules);

    private static UncountedCause? Cause(ScaleProposal proposal, IReadOnlyList<string> roster, ApprovalRecord approval, ApprovalCountRules rules) =>
        rules.Recorded(approval) switch
        {
            ApprovalSeal.NotRecorded => UncountedCause.NotRecorded,
            ApprovalSeal.EarlierAsk => UncountedCause.EarlierAsk,
            _ when !MayApprove(proposal, roster, approval) => UncountedCause.NotAnApprover,
            _ when rules.Now - approval.At > rules.MaxAge => UncountedCause.TooOld,
            _ => null,
        };

    /// <summary>
    /// The approvals a proposal needs now: its own (and two under the two-person rule), and — for a change put to
    /// approvers — no fewer than the policy asks now: its requiredApprovals, and two when its two-person rule covers this
    /// step (raised since it was proposed, or a ScaleProposal written or edited by hand with a laxer count or
    /// <c>requiresTwoPersons: false</c>). A return to normal never needs two (<see cref="ReturnToNormalRules"/>).
    /// </summary>
    public static int Required(ScaleProposal proposal, ScalePolicy policy)
    {
        var required = ApprovalShaping.ApprovalsNeeded(proposal.Spec.RequiredApprovals, proposal.Spec.RequiresTwoPersons);
        if (policy.Spec.Approval is not { Approvers.Count: > 0 } approval || ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto)
        {
            return required;
        }

        var twoPersons = !ReturnToNormalRules.IsReturn(proposal)
            && ApprovalShaping.RequiresTwoPersons(policy.Spec, proposal.Spec.FromReplicas, proposal.Spec.ToReplicas);
        return Math.Max(required, ApprovalShaping.ApprovalsNeeded(approval.RequiredApprovals, twoPersons));
    }

    /// <summary>
    /// Whether the tally says more than counting the taps does (an approval that does not count, more asked than when
    /// it was proposed): then it is what the proposal and its card say about its approvals.
    /// </summary>
    public static bool SaysMoreThanTheTaps(ApprovalTally tally, ScaleProposalSpec spec) =>
        tally.NotCounted.Count > 0 || tally.Required != ApprovalShaping.ApprovalsNeeded(spec.RequiredApprovals, spec.RequiresTwoPersons);

    /// <summary>
    /// Whether <paramref name="user"/>'s approval of <paramref name="proposal"/> counts under the policy's roster as it is
    /// now: a listed approver, or the requester of a pin or undo on a policy that names no approvers (OverrideRules
    /// routed it so).
    /// </summary>
    public static bool OnRoster(ScaleProposal proposal, IReadOnlyList<string> roster, string user) =>
        roster.Contains(user, StringComparer.Ordinal)
        || (roster.Count == 0 && ProposalFactory.ActionOf(proposal) is ProposalFactory.Action.Pin or ProposalFactory.Action.Undo && user == proposal.Spec.RequestedBy);

    private static bool MayApprove(ScaleProposal proposal, IReadOnlyList<string> roster, ApprovalRecord approval) =>
        approval is { User: ProposalLifecycle.SystemUser, Channel: ApprovalChannel.Auto }
            ? ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto
            : OnRoster(proposal, roster, approval.User);
}
