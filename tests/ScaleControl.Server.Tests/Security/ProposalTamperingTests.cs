using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Events;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Security;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Someone who may write ScaleProposals (not policies, not workloads) tries to make genuine approvals do more than the
/// approvers approved. Replay: an applied proposal's approvals are sealed and young enough to count, so before,
/// rewinding its status to Approved with kubectl (or deleting it and creating it again under the same name) scaled the
/// workload again — an old pin to 2 took a workload running 8 back to 2; an approval is used by one apply now.
/// Rewritten order: what a proposal does beyond its spec (its action label, a waiting pin's duration) was not sealed,
/// so a pin request for 30 minutes, its duration rewritten before the approver tapped, pinned the policy until 2094,
/// and a scale-up relabelled as a pin wrote a pin into the policy — a policy write by someone with no RBAC on policies;
/// the order is sealed when ScaleControl makes the proposal now. Laxer spec: a two-person proposal edited to need one
/// approval applied on one; the policy's two-person rule counts as it stands now. The real server and Kubernetes
/// adapters against the sandbox API server, the attacker's writes through the real kubectl.
/// </summary>
public sealed class ProposalTamperingTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";

    private ServerOnSandboxApi _world = null!;
    private ServerFactory _server = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _world = await ServerOnSandboxApi.StartAsync(Ns, Workload);
        (_server, _kubectl) = (_world.Server, _world.Kubectl);
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Approval(Ns, Workload), default);
        _server.Metrics.Set(TestPolicies.Query(Workload), 400);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task AppliedPin_StatusRewoundToApproved_DoesNotScaleAgain_FailsWithTheReason()
    {
        var pin = await PinnedToTwoThenBackAtEightAsync();

        await _kubectl.RunAsync("patch", "scaleproposal", pin, "-n", Ns, "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Approved"}}""");
        await SeenAsync(pin, ProposalPhase.Approved);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(8, Replicas());
        var status = StoredProposal(pin)["status"]!;
        Assert.Equal("Failed", (string?)status["phase"]);
        Assert.Contains("the approval by zhangsan was used by an apply already", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppliedPin_DeletedAndCreatedAgainWithItsSealedApprovals_DoesNotScaleAgain()
    {
        var pin = await PinnedToTwoThenBackAtEightAsync();
        var copy = StoredProposal(pin);
        var status = copy["status"]!.DeepClone().AsObject();
        status["phase"] = "Approved";
        var metadata = copy["metadata"]!.AsObject();
        foreach (var assigned in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields" })
        {
            metadata.Remove(assigned);
        }

        copy.Remove("status");
        await _kubectl.RunAsync("delete", "scaleproposal", pin, "-n", Ns);
        await _kubectl.RunAsync("create", "-f", _kubectl.WriteFile("copy.json", copy.ToJsonString()));
        await _kubectl.RunAsync("patch", "scaleproposal", pin, "-n", Ns, "--subresource=status", "--type=merge", "-p", new JsonObject { ["status"] = status }.ToJsonString());
        await SeenAsync(pin, ProposalPhase.Approved);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(8, Replicas());
        Assert.Equal("Failed", (string?)StoredProposal(pin)["status"]!["phase"]);
    }

    [Fact]
    public async Task AppliedApproval_IsRecordedNextToTheLease_UnderItsSealsHash()
    {
        var pin = await PinnedToTwoThenBackAtEightAsync();
        var seal = (string)StoredProposal(pin)["status"]!["approvals"]![0]!["signature"]!;

        var record = _world.Sandbox.Control.Get("v1", "Event", "scalecontrol-system", EventUsedApprovalLedger.NameOf(seal))!;
        Assert.Equal(EventUsedApprovalLedger.Reason, (string?)record["reason"]);
        Assert.Equal("Lease", (string?)record["involvedObject"]!["kind"]);
        Assert.Contains($"{Ns}/{pin}", (string?)record["message"], StringComparison.Ordinal);
        Assert.DoesNotContain(seal, record.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinRequest_DurationRewrittenBeforeTheApproval_RefusedAtTheTap_PolicyNotPinned()
    {
        using var shopper = _server.ClientWith(ShopOperatorToken); // an operator of shop, not on the roster: the pin waits for an approver
        using var requested = await shopper.PostAsJsonAsync($"/api/v1/workloads/{Ns}/{Workload}/pin", new { replicas = 6, durationSeconds = 1800, reason = "gala" });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var pin = (string)(await requested.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["name"]!;

        await _kubectl.RunAsync("annotate", "scaleproposal", pin, "-n", Ns, "--overwrite", "scalecontrol.io/pin-duration-seconds=2147483647");
        await SeenAsync(pin, p => p.Metadata.Annotations?.GetValueOrDefault("scalecontrol.io/pin-duration-seconds") == "2147483647");
        using var approved = await _server.ClientWith(ZhangsanToken).PostAsync($"/api/v1/proposals/{Ns}/{pin}/approve", null);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(HttpStatusCode.Conflict, approved.StatusCode);
        Assert.Contains("does not order what ScaleControl made it order", await approved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(StoredPolicy()["spec"]!["pin"]);
        Assert.Equal(4, Replicas());
    }

    [Fact]
    public async Task ScaleUp_RelabelledAsAPinRequest_ApprovedWhereTheLabelIsNotChecked_NotApplied_PolicyNotPinned()
    {
        _server.Metrics.Set(TestPolicies.Query(Workload), 1000);
        await _server.Service<Reconciler>().TickAsync(default);
        var proposal = Assert.Single(await _server.Service<IProposalStore>().ListAsync(Ns, default)).Metadata.Name;

        await _kubectl.RunAsync("label", "scaleproposal", proposal, "-n", Ns, "--overwrite", "scalecontrol.io/action=pin");
        await _kubectl.RunAsync("annotate", "scaleproposal", proposal, "-n", Ns, "scalecontrol.io/pin-duration-seconds=604800");
        await SeenAsync(proposal, p => p.Metadata.Annotations?.ContainsKey("scalecontrol.io/pin-duration-seconds") == true);
        // As if the tap's own check had let it through: the applier's last check before the scale write.
        await _kubectl.RunAsync("patch", "scaleproposal", proposal, "-n", Ns, "--subresource=status", "--type=merge", "-p", Approval(proposal).ToJsonString());
        await SeenAsync(proposal, p => p.Status.Phase == ProposalPhase.Approved);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Null(StoredPolicy()["spec"]!["pin"]);
        Assert.Equal(4, Replicas());
        var status = StoredProposal(proposal)["status"]!;
        Assert.Equal("Failed", (string?)status["phase"]);
        Assert.Contains("does not order what ScaleControl made it order", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoPersonProposal_SpecEditedToNeedOne_OneApprovalDoesNotApply_TheCardAsksForAnother()
    {
        var policy = TestPolicies.Approval(Ns, Workload);
        var rule = policy.Spec.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 8 } };
        await _server.Service<IPolicyStore>().UpsertAsync(policy with { Spec = policy.Spec with { Approval = rule } }, default);
        _server.Metrics.Set(TestPolicies.Query(Workload), 1000);
        await _server.Service<Reconciler>().TickAsync(default);
        var proposal = Assert.Single(await _server.Service<IProposalStore>().ListAsync(Ns, default));
        Assert.Equal((10, true, 2), (proposal.Spec.ToReplicas, proposal.Spec.RequiresTwoPersons, proposal.Spec.RequiredApprovals));

        await _kubectl.RunAsync("patch", "scaleproposal", proposal.Metadata.Name, "-n", Ns, "--type=merge", "-p", """{"spec":{"requiresTwoPersons":false,"requiredApprovals":1}}""");
        await SeenAsync(proposal.Metadata.Name, p => !p.Spec.RequiresTwoPersons);
        using var approved = await _server.ClientWith(ZhangsanToken).PostAsync($"/api/v1/proposals/{Ns}/{proposal.Metadata.Name}/approve", null);
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Contains("1 of 2 approvals", await approved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(4, Replicas());
        Assert.Equal("Pending", (string?)StoredProposal(proposal.Metadata.Name)["status"]!["phase"]);
    }

    /// <summary>A status patch that approves <paramref name="proposal"/> with zhangsan's approval, sealed over the proposal as it is stored now (the label and annotations included).</summary>
    private JsonObject Approval(string proposal)
    {
        var stored = _server.Service<IProposalStore>().GetAsync(Ns, proposal, default).GetAwaiter().GetResult()!;
        var approval = new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.DingTalk, At = _server.Time.GetUtcNow(), Replicas = stored.Spec.ToReplicas };
        var signed = _server.Service<ApprovalSigner>().SignFor(stored with { Status = stored.Status with { Approvals = [approval] } }, "zhangsan");
        var record = Assert.Single(signed.Status.Approvals);
        return new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Approved",
                ["approvals"] = new JsonArray(new JsonObject
                {
                    ["user"] = record.User, ["channel"] = record.Channel.ToString(), ["at"] = record.At.ToString("O"), ["replicas"] = record.Replicas, ["signature"] = record.Signature,
                }),
            },
        };
    }

    /// <summary>zhangsan (an approver) pins 2 and lifts it, then pins 8 and lifts it: the workload runs 8, the pin to 2 is Applied with its sealed approval.</summary>
    private async Task<string> PinnedToTwoThenBackAtEightAsync()
    {
        using var zhangsan = _server.ClientWith(ZhangsanToken);
        string? first = null;
        foreach (var replicas in new[] { 2, 8 })
        {
            using var pinned = await zhangsan.PostAsJsonAsync($"/api/v1/workloads/{Ns}/{Workload}/pin", new { replicas, durationSeconds = 1800, reason = "gala" });
            Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
            first ??= Assert.Single(await _server.Service<IProposalStore>().ListAsync(Ns, default)).Metadata.Name;
            using var unpinned = await zhangsan.DeleteAsync($"/api/v1/workloads/{Ns}/{Workload}/pin");
            Assert.Equal(HttpStatusCode.OK, unpinned.StatusCode);
            Assert.Equal(replicas, Replicas());
            _server.Time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.Equal("Applied", (string?)StoredProposal(first!)["status"]!["phase"]);
        return first!;
    }

    /// <summary>Waits until the product's watch cache holds the proposal in <paramref name="phase"/> (the loop reads the cache).</summary>
    private Task SeenAsync(string name, ProposalPhase phase) => SeenAsync(name, p => p.Status.Phase == phase);

    private async Task SeenAsync(string name, Func<ScaleProposal, bool> seen)
    {
        var proposals = _server.Service<IProposalStore>();
        Assert.True(await Patience.UntilAsync(() => proposals.GetAsync(Ns, name, default).GetAwaiter().GetResult() is { } p && seen(p), 10));
    }

    private JsonObject StoredPolicy() => _world.Sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", Ns, Workload)!;

    private JsonObject StoredProposal(string name) => _world.Sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", Ns, name)!;

    private int Replicas() => _world.Sandbox.Control.Get("apps/v1", "Deployment", Ns, Workload)!["spec"]!["replicas"]!.GetValue<int>();
}
