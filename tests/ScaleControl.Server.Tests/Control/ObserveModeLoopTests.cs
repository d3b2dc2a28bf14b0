using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Mode Observe through the real loop: shop/checkout-api runs 4 and its traffic (1000 qps, 100 per pod) asks for 10.
/// The policy decides as Auto would but writes nothing (no scale, no proposal, no card); its status, <c>/status</c>,
/// the Events and <c>/metrics</c> say what it would do and how that compares with what ran. Switching the mode acts
/// (or stops acting) on the next tick; pins and approvals are refused, a prepared floor is observed. Cards go to the
/// DingTalk emulator over real HTTP; one fake clock.
/// </summary>
public sealed class ObserveModeLoopTests : ServerWithDingTalk
{
    [Fact]
    public async Task Observe_DecidesButWritesNothing_StatusEventAndMetricsSayWhatItWouldDo()
    {
        await GivenObservingAsync();

        await Tick();
        await Tick(seconds: 5);

        Assert.Empty(Server.Workloads.Writes);
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(await Server.Proposals.ListAsync("shop", default));
        Assert.Empty(await CardsAsync());
        var status = (await StoredPolicyAsync()).Status!;
        Assert.Equal((4, 10), (status.CurrentReplicas, status.DesiredReplicas));
        Assert.EndsWith("; mode Observe: would scale 4 → 10, nothing written", status.LastReason, StringComparison.Ordinal);
        Assert.Equal((10, 4, 1), (status.Observation!.WouldReplicas, status.Observation.RunningReplicas, status.Observation.WouldChanges));
        var observed = Assert.Single(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleObserved); // asked again: no second Event
        Assert.Equal("would scale 4 → 10 (mode Observe: nothing written)", observed.Message);
        Assert.DoesNotContain(Server.Events.Recorded, e => e.Reason != ScaleEventReasons.ScaleObserved);

        using var viewer = Server.ClientWith(ViewerToken);
        var live = Assert.Single((await viewer.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("policies").EnumerateArray());
        Assert.Equal("Observe", live.GetProperty("mode").GetString());
        Assert.Equal(10, live.GetProperty("desiredReplicas").GetInt32());
        Assert.Equal(JsonValueKind.Null, live.GetProperty("held").ValueKind); // not a hold: the STATE says it
        Assert.Equal(30, live.GetProperty("observation").GetProperty("podSecondsMore").GetDouble()); // 6 pods for 5 s
        var metrics = await viewer.GetStringAsync("/metrics");
        Assert.Contains("scalecontrol_decisions_total{outcome=\"ApplyNow\",mode=\"Observe\"} 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observe_WorkloadMovedByOthers_ComparedWithWhatRan()
    {
        await GivenObservingAsync();
        await Tick();
        await Tick(seconds: 5);
        await Tick(seconds: 5);
        Server.Workloads.Add("shop", "checkout-api", 10); // the HPA got there
        await Tick(seconds: 5);
        await Tick(seconds: 5);

        var observation = await LiveObservationAsync();
        Assert.Equal(20, observation.GetProperty("observedSeconds").GetDouble());
        Assert.Equal(15, observation.GetProperty("differentSeconds").GetDouble());
        Assert.Equal(90, observation.GetProperty("podSecondsMore").GetDouble()); // 6 pods for 15 s
        Assert.Equal(0, observation.GetProperty("podSecondsLess").GetDouble());
        Assert.Equal(1, observation.GetProperty("wouldChanges").GetInt32());
        Assert.Equal(1, observation.GetProperty("workloadChanges").GetInt32());
        Assert.Empty(Server.Workloads.Writes);
    }

    [Fact]
    public async Task Pin_OnObservePolicy_RefusedNamingTheMode_NothingScaled()
    {
        await GivenObservingAsync();
        using var client = Server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 12, durationSeconds = 600, reason = "launch" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("policy shop/checkout-api is in mode Observe: it shows what it would do and scales nothing, so it does not pin",
            problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(Server.Workloads.Writes);
        Assert.Null((await StoredPolicyAsync()).Spec.Pin);
        Assert.Empty(await Server.Proposals.ListAsync("shop", default));
    }

    [Fact]
    public async Task Prepare_OnObservePolicy_FloorRecordedAndObserved_NothingScaled()
    {
        await GivenObservingAsync(qps: 400); // asks for 4: what runs
        using var client = Server.ClientWith(ZhangsanToken);
        using var prepared = await client.PostJson("/api/v1/policies/shop/checkout-api/expected-events",
            new { at = Server.Time.GetUtcNow().AddMinutes(10), durationSeconds = 600, replicas = 9, leadSeconds = 120, name = "kickoff", reason = "match kick-off" });
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);
        Assert.EndsWith("; the policy is in mode Observe, so the floor is observed (what it would run, its status and Events), not applied",
            (await prepared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);

        await Tick();
        Assert.Equal(4, (await StoredPolicyAsync()).Status!.DesiredReplicas);
        await Tick(seconds: 8 * 60 + 5);

        Assert.Empty(Server.Workloads.Writes);
        Assert.Equal(9, (await StoredPolicyAsync()).Status!.DesiredReplicas);
        Assert.Contains(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleObserved && e.Message == "would scale 4 → 9 (mode Observe: nothing written)");
    }

    [Fact]
    public async Task SwitchedFromApprovalToObserve_PendingCardWithdrawnAtTheNextTick()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        await EditPolicyAsync(spec => spec with { Mode = ScaleMode.Observe });

        await Tick(seconds: 5);

        var stored = await StoredAsync(pending);
        Assert.Equal((ProposalPhase.Superseded, ProposalLifecycle.WithdrawnAction), (stored.Status.Phase, stored.Status.Supersession?.Action));
        Assert.Equal("no longer needed: policy shop/checkout-api is now in mode Observe: it scales nothing", stored.Status.Message);
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.Empty(Server.Workloads.Writes);
        Assert.Equal(10, (await StoredPolicyAsync()).Status!.DesiredReplicas);
    }

    [Fact]
    public async Task SwitchedFromApprovalToObserve_TapBeforeTheTick_NotApplied()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        await EditPolicyAsync(spec => spec with { Mode = ScaleMode.Observe });

        var (status, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");

        Assert.Equal(200, status);
        Assert.Equal("Not applied: policy shop/checkout-api is now in mode Observe: it scales nothing. The proposal is withdrawn.", PrivateLine(tap));
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(pending)).Status.Phase);
        Assert.Empty(Server.Workloads.Writes);
    }

    [Fact]
    public async Task SwitchedFromObserveToAuto_ActsAtTheNextTick_ObservationDropped()
    {
        await GivenObservingAsync();
        await Tick();
        Assert.NotNull((await StoredPolicyAsync()).Status!.Observation);

        await EditPolicyAsync(spec => spec with { Mode = ScaleMode.Auto, Approval = null });
        await Tick(seconds: 5);

        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        var status = (await StoredPolicyAsync()).Status!;
        Assert.Null(status.Observation);
        Assert.DoesNotContain("mode Observe", status.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchedFromAutoToObserve_StopsActingAtOnce_ObservationStartsAnew()
    {
        await GivenObservingAsync();
        await EditPolicyAsync(spec => spec with { Mode = ScaleMode.Auto, Approval = null });
        await Tick();
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        var writes = Server.Workloads.Writes.Count;

        await EditPolicyAsync(spec => spec with { Mode = ScaleMode.Observe });
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        await Tick(seconds: 5);

        Assert.Equal(writes, Server.Workloads.Writes.Count);
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        var status = (await StoredPolicyAsync()).Status!;
        Assert.Equal(20, status.DesiredReplicas);
        Assert.Equal((Server.Time.GetUtcNow(), 20, 10), (status.Observation!.Since, status.Observation.WouldReplicas, status.Observation.RunningReplicas));
    }

    /// <summary>shop/checkout-api at 4 replicas under an Observe policy (its approval section kept for a later switch) and <paramref name="qps"/> of traffic.</summary>
    private async Task GivenObservingAsync(double qps = 1000)
    {
        Server.Workloads.Add("shop", "checkout-api", 4);
        var policy = TestPolicies.Approval(expiry: 1800);
        await Server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Mode = ScaleMode.Observe } }, default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), qps);
    }

    private async Task<ScalePolicy> StoredPolicyAsync() => (await Server.Policies.GetCurrentAsync("shop", "checkout-api", default))!;

    private async Task<JsonElement> LiveObservationAsync()
    {
        using var viewer = Server.ClientWith(ViewerToken);
        return Assert.Single((await viewer.GetFromJsonAsync<JsonElement>("/api/v1/status")).GetProperty("policies").EnumerateArray()).GetProperty("observation");
    }
}
