using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// One workload, one controller (<see cref="TargetOwnership"/>). Before, two policies naming one Deployment both decided
/// and scaled it every tick (one to 12, the other to 24), a second one could be created through the API, and a proposal
/// of either was applied when approved.
/// </summary>
public sealed class DuplicateTargetTests : IDisposable
{
    private const string Ns = "video";
    private const string Workload = "video-transcoder";
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Tick_TwoPoliciesOnOneWorkload_OnlyTheOlderScalesAndTheOtherSaysWhoOwnsIt()
    {
        _server.Workloads.Add(Ns, Workload, 6);
        _server.Metrics.Set(TestPolicies.Query(Workload), 1200); // the owner wants 12 (100/pod), the second 24 (50/pod)
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Time.Advance(TimeSpan.FromMinutes(1));
        await _server.Policies.UpsertAsync(Rush(), default); // kubectl: past the API's refusal

        for (var i = 0; i < 4; i++)
        {
            await Tick(seconds: 5);
        }

        Assert.Equal(12, _server.Workloads.Replicas(Ns, Workload));
        Assert.All(await _server.Proposals.ListAsync(Ns, default), p => Assert.Equal(Workload, p.Spec.PolicyName));
        var status = (await _server.Policies.GetAsync(Ns, "transcoder-rush", default))!.Status!;
        var condition = Assert.Single(status.Conditions);
        Assert.Equal((TargetOwnership.ConditionType, TargetOwnership.ConditionReason), (condition.Type, condition.Reason));
        Assert.Contains($"ScalePolicy {Ns}/{Workload}", condition.Message, StringComparison.Ordinal);
        Assert.Empty((await _server.Policies.GetAsync(Ns, Workload, default))!.Status!.Conditions);
        using var viewer = _server.ClientWith(ViewerToken);
        var views = (await viewer.GetFromJsonAsync<JsonObject>("/api/v1/status"))!["policies"]!.AsArray();
        var held = views.Single(v => (string?)v!["name"] == "transcoder-rush")!;
        Assert.Contains($"ScalePolicy {Ns}/{Workload}", (string?)held["held"], StringComparison.Ordinal);

        // The owner gone, the next oldest takes the workload over.
        await _server.Policies.DeleteAsync(Ns, Workload, default);
        await Tick(seconds: 5);

        Assert.Equal(24, _server.Workloads.Replicas(Ns, Workload));
        Assert.Empty((await _server.Policies.GetAsync(Ns, "transcoder-rush", default))!.Status!.Conditions);
    }

    [Fact]
    public async Task PutPolicy_SecondPolicyForAWorkload_Returns409NamingTheOwner_AndTheOwnerCanStillBeEdited()
    {
        using var admin = _server.ClientWith(AdminToken);
        using var first = await admin.PutJson($"/api/v1/policies/{Ns}/{Workload}", TestPolicies.Auto());

        using var second = await admin.PutJson($"/api/v1/policies/{Ns}/transcoder-rush", Rush());
        var owner = TestPolicies.Auto();
        using var edited = await admin.PutJson($"/api/v1/policies/{Ns}/{Workload}", owner with { Spec = owner.Spec with { MaxReplicas = 9 } });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.ReadJson();
        Assert.Equal($"{Ns}/{Workload}", problem.GetProperty("policy").GetString());
        Assert.StartsWith($"Deployment {Ns}/{Workload} is already controlled by ScalePolicy {Ns}/{Workload}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await _server.Policies.GetAsync(Ns, "transcoder-rush", default));
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
    }

    [Fact]
    public async Task FreezeAndApprove_OnAHeldPolicy_AreRefusedAndNothingIsScaled()
    {
        // The approval policy asks first while it has the workload alone; then an older policy is pointed at it (kubectl).
        _server.Workloads.Add(Ns, Workload, 6);
        _server.Metrics.Set(TestPolicies.Query(Workload), 1200);
        var owner = TestPolicies.Auto(Ns, "transcoder-main");
        await _server.Policies.UpsertAsync(owner with { Spec = owner.Spec with { Target = new TargetRef { Name = "elsewhere" } } }, default);
        _server.Time.Advance(TimeSpan.FromMinutes(1));
        var asking = TestPolicies.Approval(Ns, "transcoder-asks");
        await _server.Policies.UpsertAsync(asking with { Spec = asking.Spec with { Target = new TargetRef { Name = Workload }, Metrics = TestPolicies.Auto().Spec.Metrics } }, default);
        await Tick(seconds: 5);
        var pending = Assert.Single(await _server.Proposals.ListAsync(Ns, default), p => p.Status.Phase == ProposalPhase.Pending);
        var stored = (await _server.Policies.GetAsync(Ns, "transcoder-main", default))!;
        await _server.Policies.UpsertAsync(stored with { Spec = stored.Spec with { Target = new TargetRef { Name = Workload } } }, default);

        using var freeze = await _server.ClientWith(ZhangsanToken).PostJson($"/api/v1/policies/{Ns}/transcoder-asks/freeze", new { durationSeconds = 600, reason = "hold it" });
        using var approve = await _server.ClientWith(ZhangsanToken).PostJson($"/api/v1/proposals/{Ns}/{pending.Metadata.Name}/approve", new { });

        Assert.Equal(HttpStatusCode.Conflict, freeze.StatusCode);
        Assert.Contains($"freeze {Ns}/transcoder-main instead", (await freeze.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null((await _server.Policies.GetAsync(Ns, "transcoder-asks", default))!.Spec.Freeze);
        Assert.Contains($"ScalePolicy {Ns}/transcoder-main", await approve.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(6, _server.Workloads.Replicas(Ns, Workload));
        Assert.NotEqual(ProposalPhase.Applied, (await _server.Proposals.GetAsync(Ns, pending.Metadata.Name, default))!.Status.Phase);
    }

    /// <summary>A second policy for the same Deployment that would size it twice as large.</summary>
    private static ScalePolicy Rush()
    {
        var rush = TestPolicies.Auto(Ns, "transcoder-rush");
        return rush with { Spec = rush.Spec with { Target = new TargetRef { Name = Workload }, Metrics = [rush.Spec.Metrics[0] with { Query = TestPolicies.Query(Workload), Target = 50 }] } };
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
