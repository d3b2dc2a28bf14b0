using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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

    public bool Verify(ScaleProposal proposal, ApprovalRecord approval) =>
        approval.Signature is { Length: > 0 } signature
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(Sign(proposal, approval)));

    private string Sign(ScaleProposal proposal, ApprovalRecord approval)
    {
        var spec = proposal.Spec;
        var payload = string.Join('\n',
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
        return Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(payload)));
    }
}
