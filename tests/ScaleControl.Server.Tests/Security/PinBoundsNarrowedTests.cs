using System.Net;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// A pin asked within the policy's bounds by someone off the roster waits for an approver; the bounds narrowed
/// meanwhile (maxReplicas lowered in a storm) hold for it as for the loop's proposals. Live (probe 30, the sandbox): a
/// pin of 30 asked under 2..40, maxReplicas lowered to 20, then approved, scaled to 30 and wrote a pin of 30 into a
/// policy of 2..20 without anyone having asked to leave the bounds. Only a pin asked with allowOutsideBounds may.
/// </summary>
public sealed class PinBoundsNarrowedTests : IDisposable
{
    private const string PinUrl = "/api/v1/workloads/shop/checkout-api/pin";
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task PinRequestWithinTheBounds_MaxLoweredBelowIt_ApproverApproves_409NotScaledNotPinned_StillWaits()
    {
        var request = await GivenPinRequestAsync(new { replicas = 40, durationSeconds = 600, reason = "flash sale" });
        await EditPolicyAsync(s => s with { MaxReplicas = 20 });

        using var approve = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{request.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.Conflict, approve.StatusCode);
        Assert.Equal(
            "Not applied: 40 is outside the policy's 2..20 now (changed since the pin was asked; it was asked without allowOutsideBounds). The proposal still waits.",
            (await approve.ReadJson()).GetProperty("detail").GetString());
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin);
        var stored = (await _server.Proposals.GetAsync("shop", request.Metadata.Name, default))!;
        Assert.Equal(ProposalPhase.Pending, stored.Status.Phase);
        Assert.Empty(stored.Status.Approvals);
    }

    [Fact]
    public async Task PinRequestWithinTheBounds_MinRaisedAboveIt_ApproverApproves_NotScaled()
    {
        var request = await GivenPinRequestAsync(new { replicas = 3, durationSeconds = 600, reason = "quiet night" });
        await EditPolicyAsync(s => s with { MinReplicas = 6 });

        using var approve = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{request.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.Conflict, approve.StatusCode);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin);
    }

    [Fact]
    public async Task PinRequestOutsideTheBoundsOnPurpose_BoundsNarrowedToo_ApproverApproves_ScalesAndPins()
    {
        var request = await GivenPinRequestAsync(new { replicas = 60, durationSeconds = 600, reason = "gala", allowOutsideBounds = true });
        await EditPolicyAsync(s => s with { MaxReplicas = 20 });

        using var approve = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{request.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.Equal(60, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(60, (await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin!.Replicas);
    }

    [Fact]
    public async Task PinRequestWithinTheBounds_LeaveToGoOutsideAddedByHand_ApproverApproves_RefusedAsTampered_NotScaled()
    {
        // Whoever may write ScaleProposals cannot give a waiting pin the leave its requester did not ask for: it is sealed.
        var request = await GivenPinRequestAsync(new { replicas = 40, durationSeconds = 600, reason = "flash sale" });
        await EditPolicyAsync(s => s with { MaxReplicas = 20 });
        var stored = (await _server.Proposals.GetAsync("shop", request.Metadata.Name, default))!;
        await _server.Proposals.UpdateAsync(stored with
        {
            Metadata = stored.Metadata with
            {
                Annotations = new Dictionary<string, string>(stored.Metadata.Annotations!) { [ProposalFactory.PinOutsideBoundsAnnotation] = "true" },
            },
        }, default);

        using var approve = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{request.Metadata.Name}/approve", new { });

        Assert.NotEqual(HttpStatusCode.OK, approve.StatusCode);
        Assert.Contains("does not order what ScaleControl made it order", (await approve.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin);
    }

    /// <summary>A pin asked by an operator off the roster (checkout-api at 2, bounds 2..50): Pending for the roster.</summary>
    private async Task<ScaleProposal> GivenPinRequestAsync(object body)
    {
        _server.Workloads.Add("shop", "checkout-api", 2);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        using var response = await _server.ClientWith(ShopOperatorToken).PostJson(PinUrl, body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Read<ScaleProposal>();
    }

    private async Task EditPolicyAsync(Func<ScalePolicySpec, ScalePolicySpec> edit)
    {
        var policy = (await _server.Policies.GetCurrentAsync("shop", "checkout-api", default))!;
        await _server.Policies.UpsertAsync(policy with { Spec = edit(policy.Spec) }, default);
    }
}
