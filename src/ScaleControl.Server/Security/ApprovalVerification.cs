using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>
/// The host's side of <see cref="ApprovalCounting"/>: the rule from Core, bound to this server's seal
/// (<see cref="ApprovalSigner"/>), <c>MaxApprovalAgeSeconds</c> and clock. The tap judges with it before it claims the
/// apply; the leader's last check before it scales (<see cref="Check"/>) judges with it again, against the policy read
/// from the API server.
/// </summary>
public sealed class ApprovalVerification(ApprovalSigner signer, IOptions<ApprovalSigningOptions> options, TimeProvider time)
{
    /// <summary>How approvals of <paramref name="proposal"/> count now under <paramref name="policy"/>.</summary>
    public ApprovalCountRules RulesFor(ScaleProposal proposal, ScalePolicy policy) =>
        new(policy, approval => signer.OrderIntact(proposal) ? signer.Check(proposal, approval).Seal() : ApprovalSeal.NotRecorded, TimeSpan.FromSeconds(options.Value.MaxApprovalAgeSeconds), time.GetUtcNow());

    /// <summary>
    /// The approvals of <paramref name="proposal"/> ScaleControl recorded (their seal verifies, for this ask or an earlier
    /// one): what a scale uses up and what must not have been used before (<c>IUsedApprovalLedger</c>).
    /// </summary>
    public IReadOnlyList<ApprovalRecord> Sealed(ScaleProposal proposal) => [.. proposal.Status.Approvals.Where(Recorded(proposal))];

    /// <summary>
    /// Whether ScaleControl recorded an approval of <paramref name="proposal"/>: only those size the step applied
    /// (<see cref="ProposalLifecycle.ApprovedReplicas(ScaleProposal, Func{ApprovalRecord, bool})"/>). The one rule for
    /// it: the tap's answer and its claim of the apply, the applier's claim, resume and write, and the card
    /// (<see cref="RecordSealCheck"/>, with the same finding) all size by it.
    /// </summary>
    public Func<ApprovalRecord, bool> Recorded(ScaleProposal proposal) => approval => signer.Check(proposal, approval).IsGenuine();

    /// <summary>Why what the proposal orders beyond its spec cannot be trusted (<see cref="ApprovalSigner.OrderIntact"/>); null when it can.</summary>
    public string? OrderProblem(ScaleProposal proposal) => signer.OrderIntact(proposal)
        ? null
        : $"proposal {proposal.Metadata.Name} does not order what ScaleControl made it order: its {ProposalFactory.ActionLabel} label or its pin, undo or return annotations were changed since (no valid {ApprovalSigner.OrderSealAnnotation})";

    /// <summary>
    /// The leader's last check before it scales: enough approvals that count (<see cref="ApprovalCheck.Holds"/>); too
    /// few, and a record ScaleControl did not write among them — a ScaleProposal written or patched by hand — is a
    /// refusal (the proposal fails with the reason); too few otherwise is a shortfall (the proposal waits for more).
    /// </summary>
    public ApprovalCheck Check(ScaleProposal proposal, ScalePolicy? policy)
    {
        if (policy is null)
        {
            return ApprovalCheck.Holds; // the applier's own re-check refuses a proposal whose policy is gone
        }

        if (OrderProblem(proposal) is { } tampered)
        {
            return new ApprovalCheck($"{tampered}; not applied", null);
        }

        var tally = ApprovalCounting.Tally(proposal, RulesFor(proposal, policy));
        if (tally.IsEnough())
        {
            return ApprovalCheck.Holds;
        }

        return tally.NotCounted.FirstOrDefault(n => n.Cause == UncountedCause.NotRecorded) is { } forged
            ? new ApprovalCheck($"approval by {forged.User} was not recorded by ScaleControl (no valid signature); not applied", null)
            : new ApprovalCheck(null, tally);
    }
}

/// <summary>What the last check before a scale write found: the approvals hold (both null), a refusal, or a shortfall.</summary>
public sealed record ApprovalCheck(string? Refusal, ApprovalTally? Shortfall)
{
    public static ApprovalCheck Holds { get; } = new(null, null);
}
