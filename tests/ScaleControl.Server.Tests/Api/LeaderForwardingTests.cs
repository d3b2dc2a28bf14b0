using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Api;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// Two replicas behind one Service: only the leader evaluates, so a follower forwards <c>/status</c> and the
/// dashboard to it over real HTTP (the leader runs on Kestrel) and answers from its own memory when it cannot.
/// </summary>
public sealed class LeaderForwardingTests : IAsyncLifetime
{
    private readonly ServerFactory _leader = new();
    private ServerFactory _follower = null!;
    private HttpClient _client = null!;
    private readonly FollowerLeadership _leadership = new("127.0.0.1");

    public async Task InitializeAsync()
    {
        _leader.Settings["urls"] = "http://127.0.0.1:0";
        _leader.UseKestrel();
        _leader.StartServer();
        var url = new Uri(_leader.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        await _leader.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _leader.Workloads.Add("video", "video-transcoder", 4);
        _leader.Metrics.Set(TestPolicies.Query("video-transcoder"), 400);
        await _leader.Service<Reconciler>().TickAsync(default);

        _follower = _leader.Restarted();
        _follower.Leadership = _leadership;
        // The leader's identity stands for its host here, as the pod name does under the chart's headless Service.
        _follower.Settings["ScaleControl:Peers:LeaderUrlTemplate"] = $"http://{{leader}}:{url.Port}";
        _client = _follower.ClientWith(ServerFactory.ViewerToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _follower.DisposeAsync();
        await _leader.DisposeAsync();
    }

    [Fact]
    public async Task Dashboard_OnAFollower_ShowsTheLeadersChartsAndSaysWhoAnswered()
    {
        var response = await _client.GetAsync("/api/v1/dashboard?minutes=30");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("test-replica", Assert.Single(response.Headers.GetValues(LeaderForwarding.ServedByHeader)));
        var dashboard = await response.Content.ReadFromJsonAsync<JsonElement>();
        var series = dashboard.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "video-transcoder");
        // The leader's one evaluation, after the past it filled in (a follower's own memory has neither).
        Assert.Single(series.GetProperty("points").EnumerateArray(), p => !p.TryGetProperty("backfilled", out _));
        Assert.True(dashboard.GetProperty("status").GetProperty("isLeader").GetBoolean());
    }

    [Fact]
    public async Task Status_OnAFollower_ShowsTheLeadersLastEvaluation()
    {
        var status = await _client.GetFromJsonAsync<JsonElement>("/api/v1/status");

        var policy = Assert.Single(status.GetProperty("policies").EnumerateArray());
        Assert.Equal("qps", Assert.Single(policy.GetProperty("metrics").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Status_WithoutCredentials_IsRefusedByTheFollowerItself()
    {
        using var anonymous = _follower.ClientWith(null);

        var response = await anonymous.GetAsync("/api/v1/status");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AlreadyForwarded_IsAnsweredWhereItLands()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/status");
        request.Headers.Add(LeaderForwarding.ForwardedByHeader, "other-replica");

        var response = await _client.SendAsync(request);

        Assert.Equal("follower-replica", Assert.Single(response.Headers.GetValues(LeaderForwarding.ServedByHeader)));
        var status = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(Assert.Single(status.GetProperty("policies").EnumerateArray()).GetProperty("metrics").EnumerateArray());
    }

    [Fact]
    public async Task LeaderGone_TheFollowerAnswersFromItsOwnMemoryAndLogsOnce()
    {
        await _leader.DisposeAsync();

        var first = await _client.GetAsync("/api/v1/dashboard");
        var second = await _client.GetAsync("/api/v1/dashboard");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("follower-replica", Assert.Single(second.Headers.GetValues(LeaderForwarding.ServedByHeader)));
        var dashboard = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(dashboard.GetProperty("status").GetProperty("isLeader").GetBoolean());
        Assert.Single(_follower.Logs.Lines, l => l.Contains("did not answer a forwarded read", StringComparison.Ordinal));
    }
}
