using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A policy edited with kubectl to a number ScaleControl's model cannot hold (beyond int32). The CRDs refuse it
/// (`maximum` on every integer field); a cluster whose CRDs predate those maxima (<c>helm upgrade</c> leaves CRDs as they
/// were) stores it. Before, the product skipped the object in its watch and went on acting on the version before the
/// edit, with nothing on the policy to say so. Now the loop does not act on it and its status names the field; an
/// approval waits, an override is refused without writing, and once fixed the policy works again. A ScaleProposal
/// edited that way is no longer one of ScaleControl's: before, the cache kept the version before the edit and a tap
/// threw; now it leaves the cache, a tap says it does not exist, and nothing is scaled. The real server and Kubernetes
/// adapters against the sandbox API server (real HTTP).
/// </summary>
public sealed class UnreadableCustomResourceTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";
    private const string TooBig = "99999999999";

    private SandboxHarness _sandbox = null!;
    private ServerFactory _server = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHarness.StartAsync(o => o.RunControllerLoop = false);
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

    [Fact]
    public async Task CurrentCrd_RefusesANumberBeyondInt32_NamingTheField()
    {
        InstallCrds(withMaxima: true);
        _sandbox.Control.Seed(PolicyJson());

        var (status, body) = await PatchCooldownAsync(TooBig);

        Assert.Equal(422, status);
        Assert.Contains("spec.behavior.scaleUp.cooldownSeconds", body.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OldCrd_StoresIt_LoopHoldsAndSaysWhichField_ApprovalWaits_OverrideRefused_FixedWorksAgain()
    {
        InstallCrds(withMaxima: false);
        var pending = await GivenPendingProposalAsync();

        await PatchAndSeeAsync(TooBig);
        _server.Metrics.Set(TestPolicies.Query(Workload), 2000); // would ask for 20 if the loop acted on the old spec
        await Tick(seconds: 5);

        var condition = Assert.Single(StoredStatus()["conditions"]!.AsArray())!;
        Assert.Equal(PolicyValidity.ConditionType, (string?)condition["type"]);
        Assert.Contains("cannot be read", (string?)condition["message"], StringComparison.Ordinal);
        Assert.Contains("spec.behavior.scaleUp.cooldownSeconds: the stored value is not a whole number", (string?)condition["message"], StringComparison.Ordinal);
        Assert.Equal(4, Replicas());
        var stillOne = Assert.Single(await _server.Service<IProposalStore>().ListAsync(Ns, default));
        Assert.Equal((ProposalPhase.Pending, 10), (stillOne.Status.Phase, stillOne.Spec.ToReplicas));

        var approval = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand(Ns, pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, true), default);
        Assert.Equal(ApprovalResultKind.Refused, approval.Kind);
        Assert.Contains("cannot be read", approval.Message, StringComparison.Ordinal);
        Assert.Equal(4, Replicas());

        using var freeze = await _server.ClientWith(ZhangsanToken).PostAsJsonAsync(
            $"/api/v1/policies/{Ns}/{Workload}/freeze", new { durationSeconds = 600, reason = "gala" });
        Assert.Equal(HttpStatusCode.Conflict, freeze.StatusCode);
        Assert.Contains("cannot be read", await freeze.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var spec = StoredSpec();
        Assert.Null(spec["freeze"]);
        Assert.Equal(TooBig, spec["behavior"]!["scaleUp"]!["cooldownSeconds"]!.ToJsonString()); // nothing written back
        Assert.Equal(100, spec["metrics"]![0]!["target"]!.GetValue<int>());

        await PatchAndSeeAsync("30");
        await Tick(seconds: 5);

        Assert.Empty(StoredStatus()["conditions"]?.AsArray() ?? []);
        var fixedApproval = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand(Ns, pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, true), default);
        Assert.Equal(ApprovalResultKind.Accepted, fixedApproval.Kind);
        Assert.True(Replicas() > 4);
    }

    [Fact]
    public async Task OldCrd_ProposalEditedPastInt32_LeavesTheCache_TapSaysItDoesNotExist_NothingScaled()
    {
        InstallCrds(withMaxima: false);
        var pending = await GivenPendingProposalAsync();
        var proposals = _server.Service<IProposalStore>();

        var (status, body) = await _sandbox.SendAsync(HttpMethod.Patch, $"/apis/scalecontrol.io/v1alpha1/namespaces/{Ns}/scaleproposals/{pending.Metadata.Name}",
            $$$"""{"spec":{"toReplicas":{{{TooBig}}}}}""", "application/merge-patch+json");
        Assert.True(status == 200, body.ToJsonString());
        Assert.True(await Patience.UntilAsync(() => proposals.ListAsync(Ns, default).GetAwaiter().GetResult().Count == 0, 10));

        var approval = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand(Ns, pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, true), default);
        await Tick(seconds: 5);

        Assert.Equal(ApprovalResultKind.NotFound, approval.Kind);
        Assert.Equal(4, Replicas());
        var stored = _sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScaleProposal", Ns, pending.Metadata.Name)!;
        Assert.Equal("Pending", (string?)stored["status"]!["phase"]); // not written: none of ScaleControl's any more
    }

    [Fact]
    public async Task OldCrd_UnreadablePolicy_EveryOverrideAnswers409CannotBeRead_BeforeJudgingTheStandInsSpec()
    {
        // The stand-in has no bounds, pin or freeze: judged against it, a pin read "6 is outside 1..0" and an unpin
        // "not pinned", whatever the stored policy held.
        InstallCrds(withMaxima: false);
        await GivenPendingProposalAsync();
        await PatchAndSeeAsync(TooBig);
        using var zhangsan = _server.ClientWith(ZhangsanToken);
        var at = _server.Time.GetUtcNow().AddHours(1);

        using var pin = await zhangsan.PostAsJsonAsync($"/api/v1/workloads/{Ns}/{Workload}/pin", new { replicas = 6, durationSeconds = 600, reason = "gala" });
        using var unpin = await zhangsan.DeleteAsync($"/api/v1/workloads/{Ns}/{Workload}/pin");
        using var unfreeze = await zhangsan.DeleteAsync($"/api/v1/policies/{Ns}/{Workload}/freeze");
        using var prepare = await zhangsan.PostAsJsonAsync($"/api/v1/policies/{Ns}/{Workload}/expected-events",
            new { at, durationSeconds = 600, reason = "push", replicas = 8 });

        foreach (var answer in new[] { pin, unpin, unfreeze, prepare })
        {
            Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
            Assert.Contains("cannot be read", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var spec = StoredSpec();
        Assert.Null(spec["pin"]);
        Assert.Empty(spec["expectedEvents"]?.AsArray() ?? []);
        Assert.Equal(4, Replicas());
    }

    /// <summary>The CRDs as shipped, or as an older chart installed them: without the maxima (int32's, and the bounds added since, such as cooldownSeconds' day).</summary>
    private void InstallCrds(bool withMaxima)
    {
        foreach (var file in SandboxHarness.CrdFiles)
        {
            var text = File.ReadAllText(file);
            _sandbox.Control.Seed(withMaxima ? text : string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("maximum:", StringComparison.Ordinal))));
        }
    }

    private static string PolicyJson() =>
        new JsonObject
        {
            ["apiVersion"] = ScalePolicy.ApiVersionValue,
            ["kind"] = ScalePolicy.KindValue,
            ["metadata"] = new JsonObject { ["name"] = Workload, ["namespace"] = Ns },
            ["spec"] = new JsonObject { ["target"] = new JsonObject { ["kind"] = "Deployment", ["name"] = Workload }, ["maxReplicas"] = 10 },
        }.ToJsonString();

    /// <summary>The server against the sandbox, the Approval policy and its pending proposal 4 → 10 (1000 QPS at 100 per pod).</summary>
    private async Task<ScaleProposal> GivenPendingProposalAsync()
    {
        _server = new ServerFactory { KubernetesApi = _sandbox.Server.BaseUri };
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Approval(Ns, Workload), default);
        _server.Metrics.Set(TestPolicies.Query(Workload), 1000);
        await Tick();
        var pending = Assert.Single(await _server.Service<IProposalStore>().ListAsync(Ns, default));
        Assert.Equal((ProposalPhase.Pending, 4, 10), (pending.Status.Phase, pending.Spec.FromReplicas, pending.Spec.ToReplicas));
        return pending;
    }

    private Task<(int Status, JsonObject Body)> PatchCooldownAsync(string seconds) =>
        _sandbox.SendAsync(HttpMethod.Patch, $"/apis/scalecontrol.io/v1alpha1/namespaces/{Ns}/scalepolicies/{Workload}",
            """{"spec":{"behavior":{"scaleUp":{"cooldownSeconds":SECONDS}}}}""".Replace("SECONDS", seconds, StringComparison.Ordinal), "application/merge-patch+json");

    /// <summary>Patches the policy and waits until the product's watch cache holds that version (the loop reads the cache).</summary>
    private async Task PatchAndSeeAsync(string seconds)
    {
        var (status, body) = await PatchCooldownAsync(seconds);
        Assert.True(status == 200, body.ToJsonString());
        var version = (string?)body["metadata"]!["resourceVersion"];
        var policies = _server.Service<IPolicyStore>();
        Assert.True(await Patience.UntilAsync(() => policies.GetAsync(Ns, Workload, default).GetAwaiter().GetResult()?.Metadata.ResourceVersion == version, 10));
    }

    private JsonObject Stored() => _sandbox.Control.Get(ScalePolicy.ApiVersionValue, ScalePolicy.KindValue, Ns, Workload)!;

    private JsonObject StoredSpec() => Stored()["spec"]!.AsObject();

    private JsonObject StoredStatus() => Stored()["status"]!.AsObject();

    private int Replicas() =>
        _sandbox.Control.Get("apps/v1", "Deployment", Ns, Workload)!["spec"]!["replicas"]!.GetValue<int>();

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
