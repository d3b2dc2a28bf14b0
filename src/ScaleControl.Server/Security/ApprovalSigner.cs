using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>
/// HMAC-SHA256 over an approval record and the proposal it approves (namespace, name, policy, target, from, to, the
/// alternative, the approvals needed, who asked): a record written by anyone else — or copied onto another proposal,
/// or left on a spec changed afterwards — does not verify.
/// </summary>
public sealed class ApprovalSigner(IOptions<ApprovalSigningOptions> options)
{
    private byte[] Key => Encoding.UTF8.GetBytes(options.Value.SigningKey ?? throw new InvalidOperationException("no approval signing key"));

    /// <summary>Signs the unsigned approvals recorded for <paramref name="user"/> — never anyone else's (they may be forged).</summary>
    public ScaleProposal SignFor(ScaleProposal proposal, string user) => proposal with
    {
        Status = proposal.Status with
        {
            Approvals = [.. proposal.Status.Approvals.Select(a => a.Signature is null && a.User == user ? a with { Signature = Sign(proposal, a) } : a)],
        },
    };

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

    /// <summary>A JSON array: a reason may hold any character, a separator included.</summary>
    private static string OrderPayload(ScaleProposal proposal) => JsonSerializer.Serialize<string?[]>(
        [
            "scalecontrol-order-v1",
            proposal.Metadata.Namespace,
            proposal.Metadata.Name,
            proposal.Metadata.Labels?.GetValueOrDefault(ProposalFactory.ActionLabel),
            .. OrderAnnotations.Select(a => proposal.Metadata.Annotations?.GetValueOrDefault(a)),
        ]);

    public bool Verify(ScaleProposal proposal, ApprovalRecord approval) => Matches(approval.Signature, Payload(proposal, approval));

    private string Sign(ScaleProposal proposal, ApprovalRecord approval) => Hmac(Payload(proposal, approval));

    private static string Payload(ScaleProposal proposal, ApprovalRecord approval)
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
