using System.Text.Json.Nodes;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Right before the scale write the applier reads the policy from the API server (a freeze or pin written since the
/// approval must be seen). When that one GET fails (a 5xx, a timeout) the approved change is neither written blind nor
/// lost: the proposal stays claimed (Applying) with a history entry that says why, the leader resumes it after
/// ApplyClaimSeconds (30 s), and once the API answers it is applied with exactly one scale write — or not at all, with
/// the reason recorded, when the policy was frozen, pinned or deleted meanwhile. The real server and Kubernetes
/// adapters against the sandbox API server (real HTTP); the fault is injected on the product's GET of the policy only.
/// </summary>
public sealed class PolicyRereadFailureTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";

    private SandboxHarness _sandbox = null!;
    private ServerFactory _server = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHarness.StartAsync(o => o.RunControllerLoop = false, installCrds: true);
        _sandbox.Control.SeedDeployment(Ns, Workload, replicas: 4, readyReplicas: 4);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _sandbox.DisposeAsync();
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task ReReadFails_NotWrittenAndKeptClaimed_ResumedWhileFailing_ThenAppliedOnceWhenTheApiAnswers(int status)
    {
        var pending = await GivenPendingProposalAsync();
        _sandbox.Control.InjectFault(RereadFault() with { StatusCode = status });

        var approved = await ApproveAsync(pending);

        Assert.Equal(ProposalPhase.Applying, approved.Status.Phase);
        Assert.Contains(_sandbox.Control.Journal, e => IsReread(e) && e.StatusCode == status); // the fault hit the re-read
        await AssertNotScaledAsync(interruptions: 1, because: $"{status}");

        await Tick(seconds: 20); // the claim is younger than ApplyClaimSeconds: left alone
        await AssertNotScaledAsync(interruptions: 1, because: $"{status}");

        await Tick(seconds: 11); // resumed, and the re-read fails again: still no write, one more entry
        await AssertNotScaledAsync(interruptions: 2, because: $"{status}");

        _sandbox.Control.ClearFaults();
        await Tick(seconds: 31);

        var applied = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Applied, applied.Status.Phase);
        Assert.Equal(10, applied.Status.AppliedReplicas);
        Assert.Equal(10, Replicas());
        Assert.Equal(1, ScaleWrites());
        Assert.Contains(applied.Status.History, h => h.Message.Contains("resuming 4 → 10: its apply was interrupted", StringComparison.Ordinal));

        await Tick(seconds: 31); // settled: nothing is written again
        Assert.Equal(1, ScaleWrites());
    }

    [Fact]
    public async Task ReReadTimesOut_NotWrittenAndKeptClaimed_ThenAppliedOnce()
    {
        var pending = await GivenPendingProposalAsync(requestTimeoutSeconds: 3);
        _sandbox.Control.InjectFault(RereadFault() with { Latency = TimeSpan.FromSeconds(60), Times = 1 });

        var approved = await ApproveAsync(pending);

        Assert.Equal(ProposalPhase.Applying, approved.Status.Phase);
        await AssertNotScaledAsync(interruptions: 1, because: "timed out");

        await Tick(seconds: 31);

        Assert.Equal(ProposalPhase.Applied, (await StoredAsync(pending)).Status.Phase);
        Assert.Equal(10, Replicas());
        Assert.Equal(1, ScaleWrites());
    }

    [Theory]
    [InlineData("frozen")]
    [InlineData("pinned")]
    [InlineData("deleted")]
    public async Task ReReadFails_PolicyChangedMeanwhile_ResumedApplyFindsIt_NoWrite_ReasonRecorded(string change)
    {
        var pending = await GivenPendingProposalAsync();
        _sandbox.Control.InjectFault(RereadFault() with { StatusCode = 500 });
        await ApproveAsync(pending);
        await AssertNotScaledAsync(interruptions: 1, because: "500");

        var until = _server.Time.GetUtcNow().AddHours(1).ToString("O");
        var expected = change switch
        {
            "frozen" => await PatchPolicyAsync(new JsonObject { ["freeze"] = new JsonObject { ["until"] = until, ["reason"] = "gala", ["by"] = "dana" } }, "frozen"),
            "pinned" => await PatchPolicyAsync(new JsonObject { ["pin"] = new JsonObject { ["replicas"] = 6, ["until"] = until, ["reason"] = "gala", ["by"] = "dana" } }, "pinned at 6"),
            _ => DeletePolicy(),
        };
        _sandbox.Control.ClearFaults();
        await Tick(seconds: 31);

        var failed = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Failed, failed.Status.Phase);
        Assert.Contains(expected, failed.Status.Message, StringComparison.Ordinal);
        Assert.Contains(failed.Status.History, h => h.To == ProposalPhase.Failed && h.Message.Contains(expected, StringComparison.Ordinal));
        Assert.Equal(0, ScaleWrites());
        Assert.Equal(4, Replicas());
    }

    /// <summary>
    /// Probe 30: an automatic step (the loop's own approval) whose write was held was written on resume although an
    /// admin had switched the policy to Approval meanwhile to stop it changing things on its own. Now it fails with the
    /// reason and the next evaluation puts the step to the approvers.
    /// </summary>
    [Fact]
    public async Task ReReadFails_AutomaticStep_PolicySwitchedToApprovalMeanwhile_NotWritten_ProposedToTheApprovers()
    {
        _server = new ServerFactory { KubernetesApi = _sandbox.Server.BaseUri };
        var policy = TestPolicies.Approval(Ns, Workload);
        await _server.Service<IPolicyStore>().UpsertAsync(policy with { Spec = policy.Spec with { Mode = Core.Policies.ScaleMode.Auto } }, default);
        _server.Metrics.Set(TestPolicies.Query(Workload), 1000);
        _sandbox.Control.ClearJournal();
        _sandbox.Control.InjectFault(RereadFault() with { StatusCode = 500 });

        await Tick(); // the loop approves 4 → 10 itself; the re-read before the write fails: claimed, not written
        var step = await StoredAsync(null);
        Assert.Equal(ProposalFactory.Action.Auto, ProposalFactory.ActionOf(step));
        await AssertNotScaledAsync(interruptions: 1, because: "500");

        await PatchPolicyAsync(new JsonObject { ["mode"] = "Approval" }, "");
        _sandbox.Control.ClearFaults();
        await Tick(seconds: 31);

        var failed = await StoredAsync(step);
        Assert.Equal(ProposalPhase.Failed, failed.Status.Phase);
        Assert.Contains("the policy asks for approval to scale up now (mode Approval, changed since the loop approved this automatic step)", failed.Status.Message, StringComparison.Ordinal);
        Assert.Equal(0, ScaleWrites());
        Assert.Equal(4, Replicas());

        await Tick(seconds: 5);
        var proposed = (await _server.Service<IProposalStore>().ListAsync(Ns, default)).Single(p => p.Metadata.Name != step.Metadata.Name);
        Assert.Equal((ProposalPhase.Pending, ProposalFactory.Action.Approval, 10), (proposed.Status.Phase, ProposalFactory.ActionOf(proposed), proposed.Spec.ToReplicas));
        Assert.Equal(4, Replicas());
    }

    /// <summary>The server against the sandbox, the Approval policy and its pending proposal 4 → 10 (1000 QPS at 100 per pod).</summary>
    private async Task<ScaleProposal> GivenPendingProposalAsync(int requestTimeoutSeconds = 20)
    {
        _server = new ServerFactory { KubernetesApi = _sandbox.Server.BaseUri, KubernetesRequestTimeoutSeconds = requestTimeoutSeconds };
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Approval(Ns, Workload), default);
        _server.Metrics.Set(TestPolicies.Query(Workload), 1000);
        await Tick();
        var pending = Assert.Single(await _server.Service<IProposalStore>().ListAsync(Ns, default));
        Assert.Equal((ProposalPhase.Pending, 4, 10), (pending.Status.Phase, pending.Spec.FromReplicas, pending.Spec.ToReplicas));
        _sandbox.Control.ClearJournal();
        return pending;
    }

    /// <summary>The product's GET of the policy (the re-read before a scale write); the test's own requests pass.</summary>
    private static SandboxFault RereadFault() => new() { Method = "GET", Verb = "get", Resource = "scalepolicies", UserAgentContains = "scalecontrol/" };

    private static bool IsReread(JournalEntry e) => e.Verb == "get" && e.Resource == "scalepolicies" && e.Name == Workload;

    private async Task<ScaleProposal> ApproveAsync(ScaleProposal pending)
    {
        var result = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand(Ns, pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, true), default);
        Assert.Equal(ApprovalResultKind.Accepted, result.Kind);
        return result.Proposal!;
    }

    /// <summary>No scale write, the workload where it was, the proposal still claimed and its history saying why, <paramref name="interruptions"/> times.</summary>
    private async Task AssertNotScaledAsync(int interruptions, string because)
    {
        Assert.Equal(0, ScaleWrites());
        Assert.Equal(4, Replicas());
        var stored = await StoredAsync(null);
        Assert.Equal(ProposalPhase.Applying, stored.Status.Phase);
        var said = stored.Status.History.Where(h => h.Message.Contains("could not re-read the policy", StringComparison.Ordinal)).ToList();
        Assert.Equal(interruptions, said.Count);
        Assert.All(said, h => Assert.Contains(because, h.Message, StringComparison.Ordinal));
        Assert.Contains("could not re-read the policy", stored.Status.Message, StringComparison.Ordinal);
    }

    private async Task<string> PatchPolicyAsync(JsonObject spec, string expected)
    {
        var (status, body) = await _sandbox.SendAsync(HttpMethod.Patch, $"/apis/scalecontrol.io/v1alpha1/namespaces/{Ns}/scalepolicies/{Workload}",
            new JsonObject { ["spec"] = spec }.ToJsonString(), "application/merge-patch+json");
        Assert.True(status == 200, body.ToJsonString());
        return expected;
    }

    private string DeletePolicy()
    {
        Assert.True(_sandbox.Control.Delete("scalecontrol.io/v1alpha1", "ScalePolicy", Ns, Workload));
        return "no longer exists";
    }

    private async Task<ScaleProposal> StoredAsync(ScaleProposal? proposal)
    {
        var all = await _server.Service<IProposalStore>().ListAsync(Ns, default);
        return proposal is null ? Assert.Single(all) : all.Single(p => p.Metadata.Name == proposal.Metadata.Name);
    }

    private int ScaleWrites() =>
        _sandbox.Control.Journal.Count(e => e.Resource == "deployments/scale" && e.Verb is "update" or "patch" && e.Served);

    private int Replicas() =>
        _sandbox.Control.Get("apps/v1", "Deployment", Ns, Workload)!["spec"]!["replicas"]!.GetValue<int>();

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
