using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A policy written straight into the store (as kubectl can, past the API's validation) that the API would refuse is
/// not acted on: no scale, no proposal, its status names the fields, and /status says so. Fixed, it is evaluated again.
/// Before, minReplicas 30 above maxReplicas 5 made a Failed proposal and a notice per evaluation, and a metric target
/// of 0 asked for 2,147,483,647 replicas and scaled an Auto workload to its maximum.
/// </summary>
public sealed class InvalidPolicyLoopTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    public static TheoryData<string, string> Edits => new()
    {
        { "targetZero", "spec.metrics[0].target" },
        { "minAboveMax", "spec.maxReplicas" },
        { "scheduleNull", "spec.schedules[0]" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task Tick_PolicyEditedPastTheApi_FailsStaticAndSaysWhichField(string edit, string field)
    {
        var valid = TestPolicies.Auto();
        var invalid = valid with
        {
            Spec = edit switch
            {
                "targetZero" => valid.Spec with { Metrics = [valid.Spec.Metrics[0] with { Target = 0 }], MaxReplicas = 20 },
                "scheduleNull" => valid.Spec with { Schedules = [null!] }, // kubectl stores "schedules: [~]"; the validator crashed on it
                _ => valid.Spec with { MinReplicas = 30, MaxReplicas = 5 },
            },
        };
        _server.Workloads.Add("video", "video-transcoder", 6);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 600); // 6 pods at 100/pod: nothing to do when valid
        await _server.Policies.UpsertAsync(invalid, default);

        await Tick();
        await Tick(seconds: 5);

        Assert.Equal(6, _server.Workloads.Replicas("video", "video-transcoder"));
        Assert.Empty(await _server.Proposals.ListAsync("video", default));
        var status = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!;
        var condition = Assert.Single(status.Conditions);
        Assert.Equal(PolicyValidity.ConditionType, condition.Type);
        Assert.Contains(field, condition.Message, StringComparison.Ordinal);
        Assert.StartsWith("the policy is invalid", status.LastReason, StringComparison.Ordinal);
        using var viewer = _server.ClientWith(ViewerToken);
        var view = (await viewer.GetFromJsonAsync<JsonObject>("/api/v1/status"))!["policies"]!.AsArray().Single()!;
        Assert.Contains(field, (string?)view["lastReason"], StringComparison.Ordinal);

        var stored = (await _server.Policies.GetAsync("video", "video-transcoder", default))!;
        await _server.Policies.UpsertAsync(stored with { Spec = valid.Spec }, default);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 1200);
        await Tick(seconds: 5);

        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));
        Assert.Empty((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.Conditions);
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
