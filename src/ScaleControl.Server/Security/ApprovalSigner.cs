using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>
/// HMAC-SHA256 over an approval record and the proposal it approves: which proposal (namespace, name, policy, target,
/// who asked) and what it asked when the approval was recorded (from, to, the alternative, the approvals needed), which
/// the record keeps (<see cref="ApprovalRecord.Asked"/>). A record written by anyone else — or copied onto another
/// proposal or approver, or edited — does not verify; a genuine one still verifies after its proposal was amended in
/// place, as an approval of what it asked then (which does not count toward the amended ask), and one left on a spec
/// changed by hand to a step the proposal never asked does not. Rejections are sealed the same way
/// (<see cref="SignRejection"/>): a "no" written by hand keeps its proposal stopped but is shown as a claim.
/// </summary>
public sealed class ApprovalSigner(IOptions<ApprovalSigningOptions> options)
{
    private byte[] Key => Encoding.UTF8.GetBytes(options.Value.SigningKey ?? throw new InvalidOperationException("no approval signing key"));

    /// <summary>
    /// Signs the approval just recorded for <paramref name="user"/> — the last one, when it is theirs and unsigned — over
    /// what the proposal asks now, which it keeps; never another record, which may be forged (one written by hand in the
    /// name of a person who then approves again stays unverified).
    /// </summary>
    public ScaleProposal SignFor(ScaleProposal proposal, string user) => proposal.Status.Approvals is [.., { Signature: null } last] && last.User == user
        ? proposal with
        {
            Status = proposal.Status with
            {
                Approvals = [.. proposal.Status.Approvals.SkipLast(1), Sign(proposal, last with { Asked = AskedStep.Of(proposal.Spec) })],
            },
        }
        : proposal;

    /// <summary>Seals the proposal's rejection just recorded (an unsigned one), over the proposal, the step it asks, who, how, when and why.</summary>
    public ScaleProposal SignRejection(ScaleProposal proposal) => proposal.Status.Rejection is { Signature: null } rejection
        ? proposal with { Status = proposal.Status with { Rejection = rejection with { Signature = Hmac(RejectionPayload(proposal, rejection)) } } }
        : proposal;

    /// <summary>
    /// Whether ScaleControl recorded the proposal's rejection as it stands: <see cref="ApprovalSealFinding.ThisAsk"/> when
    /// its seal verifies, <see cref="ApprovalSealFinding.Unsigned"/> or <see cref="ApprovalSealFinding.NotMatching"/> when
    /// it does not (written by hand, copied, edited, its proposal's spec changed since, or a retired key's).
    /// </summary>
    public ApprovalSealFinding CheckRejection(ScaleProposal proposal, RejectionRecord rejection) =>
        rejection.Signature is not { Length: > 0 } ? ApprovalSealFinding.Unsigned
        : Matches(rejection.Signature, RejectionPayload(proposal, rejection)) ? ApprovalSealFinding.ThisAsk
        : ApprovalSealFinding.NotMatching;

    /// <summary>A JSON array: which proposal, the step it asked when it was rejected (a rejected proposal is final), and the rejection.</summary>
    private static string RejectionPayload(ScaleProposal proposal, RejectionRecord rejection) => JsonSerializer.Serialize<string?[]>(
        [
            .. ProposalAndAsk("scalecontrol-rejection-v1", proposal, AskedStep.Of(proposal.Spec)),
            rejection.User,
            rejection.Channel.ToString(),
            rejection.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            rejection.Reason,
        ]);

    /// <summary>What a seal of a person's answer covers first: its kind, which proposal, and the step it asked.</summary>
    private static string?[] ProposalAndAsk(string kind, ScaleProposal proposal, AskedStep asked) =>
        [
            kind,
            proposal.Metadata.Namespace,
            proposal.Metadata.Name,
            proposal.Spec.PolicyName,
            $"{proposal.Spec.Target.Kind}/{proposal.Spec.Target.Name}",
            proposal.Spec.RequestedBy,
            asked.From.ToString(CultureInfo.InvariantCulture),
            asked.To.ToString(CultureInfo.InvariantCulture),
            asked.Alternative?.ToString(CultureInfo.InvariantCulture),
            asked.RequiredApprovals.ToString(CultureInfo.InvariantCulture),
            asked.RequiresTwoPersons ? "2p" : "1p",
        ];

    /// <summary>
    /// Seals what the proposal orders beyond its spec — its action label and the annotations the apply acts on (a waiting
    /// pin's duration and reason, the change an undo takes back, the hot event a return to normal ends) — as ScaleControl
    /// made it. An approver approves the card they were shown; these are not on it, so an approval's own seal cannot vouch
    /// for them: written afterwards by whoever may write ScaleProposals, a pin request for 30 minutes pinned the policy
    /// for 68 years once approved.
    /// </summary>
    public ScaleProposal SealOrder(ScaleProposal proposal) => proposal with
    {
        Metadata = proposal.Metadata with
        {
            Annotations = new Dictionary<string, string>(proposal.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [OrderSealAnnotation] = Hmac(OrderPayload(proposal)),
            },
        },
    };

    /// <summary>
    /// Whether the proposal's order is as ScaleControl made it: its order seal verifies, or — a ScaleProposal written
    /// by hand — it carries no order at all (no action label, none of the annotations <see cref="SealOrder"/> covers).
    /// </summary>
    public bool OrderIntact(ScaleProposal proposal) =>
        proposal.Metadata.Annotations?.GetValueOrDefault(OrderSealAnnotation) is { Length: > 0 } seal
            ? Matches(seal, OrderPayload(proposal))
            : proposal.Metadata.Labels?.ContainsKey(ProposalFactory.ActionLabel) != true
              && !OrderAnnotations.Any(a => proposal.Metadata.Annotations?.ContainsKey(a) == true);

    public const string OrderSealAnnotation = "scalecontrol.io/order-seal";

    private static readonly string[] OrderAnnotations =
        [ProposalFactory.PinDurationAnnotation, ProposalFactory.PinReasonAnnotation, ProposalFactory.UndoOfAnnotation, ReturnToNormalRules.ReturnOfAnnotation];

    /// <summary>
    /// A JSON array: a reason may hold any character, a separator included. A pin's leave to go outside the bounds
    /// (<see cref="ProposalFactory.PinOutsideBoundsAnnotation"/>) is sealed when present and left out of the array when
    /// not, so orders sealed before it existed still verify and one added by hand does not.
    /// </summary>
    private static string OrderPayload(ScaleProposal proposal) => JsonSerializer.Serialize<string?[]>(
        [
            "scalecontrol-order-v1",
            proposal.Metadata.Namespace,
            proposal.Metadata.Name,
            proposal.Metadata.Labels?.GetValueOrDefault(ProposalFactory.ActionLabel),
            .. OrderAnnotations.Select(a => proposal.Metadata.Annotations?.GetValueOrDefault(a)),
            .. proposal.Metadata.Annotations?.GetValueOrDefault(ProposalFactory.PinOutsideBoundsAnnotation) is { } outside
                ? [ProposalFactory.PinOutsideBoundsAnnotation, outside]
                : Array.Empty<string?>(),
        ]);

    /// <summary>
    /// Whether ScaleControl recorded <paramref name="approval"/> on <paramref name="proposal"/>, and for which of its asks.
    /// A record sealed before approvals kept what they asked (no <see cref="ApprovalRecord.Asked"/>) checks against the
    /// spec as it is, as it always did; if the proposal changed in place since, that spec is gone and it cannot be checked.
    /// </summary>
    public ApprovalSealFinding Check(ScaleProposal proposal, ApprovalRecord approval)
    {
        if (approval.Signature is not { Length: > 0 })
        {
            return ApprovalSealFinding.Unsigned;
        }

        if (approval.Asked is not { } asked)
        {
            return Matches(approval.Signature, LegacyPayload(proposal, approval)) ? ApprovalSealFinding.ThisAsk
                : proposal.Status.Amendments.Count > 0 || proposal.Status.AppliedSteps.Count > 0 ? ApprovalSealFinding.Unverifiable
                : ApprovalSealFinding.NotMatching;
        }

        return !Matches(approval.Signature, Payload(proposal, asked, approval)) ? ApprovalSealFinding.NotMatching
            : asked.IsAskedNowBy(proposal) ? ApprovalSealFinding.ThisAsk
            : asked.WasAskedBy(proposal) ? ApprovalSealFinding.EarlierAsk
            : ApprovalSealFinding.NeverAsked;
    }

    private ApprovalRecord Sign(ScaleProposal proposal, ApprovalRecord approval) => approval with { Signature = Hmac(Payload(proposal, approval.Asked!, approval)) };

    /// <summary>A JSON array: which proposal, what it asked (as the record keeps it), and the approval.</summary>
    private static string Payload(ScaleProposal proposal, AskedStep asked, ApprovalRecord approval) => JsonSerializer.Serialize<string?[]>(
        [
            .. ProposalAndAsk("scalecontrol-approval-v2", proposal, asked),
            approval.User,
            approval.Channel.ToString(),
            approval.Replicas.ToString(CultureInfo.InvariantCulture),
            approval.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        ]);

    /// <summary>What records sealed before approvals kept their ask were sealed over: the proposal's spec as it stood.</summary>
    private static string LegacyPayload(ScaleProposal proposal, ApprovalRecord approval)
    {
        var spec = proposal.Spec;
        return string.Join('\n',
            "scalecontrol-approval-v1",
            proposal.Metadata.Namespace,
            proposal.Metadata.Name,
            spec.PolicyName,
            $"{spec.Target.Kind}/{spec.Target.Name}",
            spec.FromReplicas.ToString(CultureInfo.InvariantCulture),
            spec.ToReplicas.ToString(CultureInfo.InvariantCulture),
            spec.AlternativeReplicas?.ToString(CultureInfo.InvariantCulture) ?? "-",
            spec.RequiredApprovals.ToString(CultureInfo.InvariantCulture),
            spec.RequiresTwoPersons ? "2p" : "1p",
            spec.RequestedBy,
            approval.User,
            approval.Channel.ToString(),
            approval.Replicas.ToString(CultureInfo.InvariantCulture),
            approval.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The seal of <paramref name="payload"/> with this server's key; also what else ScaleControl signs with it (<see cref="OverrideRecordSigner"/>).</summary>
    internal string Hmac(string payload) => Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(payload)));

    /// <summary>Whether <paramref name="seal"/> is the seal of <paramref name="payload"/> (compared in constant time); a missing one is not.</summary>
    internal bool Matches(string? seal, string payload) =>
        seal is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(seal), Encoding.ASCII.GetBytes(Hmac(payload)));
}
