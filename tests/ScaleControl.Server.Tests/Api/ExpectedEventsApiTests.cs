using System.Globalization;
using System.Net;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Tests.Api;

/// <summary>Expected events over the API and through the loop: recorded on the policy, a floor in time, a card where approval is needed.</summary>
public sealed class ExpectedEventsApiTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    private DateTimeOffset Now => _server.Time.GetUtcNow();

    [Fact]
    public async Task Prepare_ThreeTimesOnApprovalPolicy_RecordsWhoWhyChannelThenProposesInTimeNeverScales()
    {
        await Given(TestPolicies.Approval(), replicas: 4, qps: 350);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson("/api/v1/policies/shop/checkout-api/expected-events",
            new { at = Now.AddMinutes(30), durationSeconds = 1200, multiplier = 3.0, reason = "push to 30M users" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJson();
        Assert.StartsWith("expected event event-20261125-1030 on shop/checkout-api: floor 12 replicas (3x of 4: 4 running now; the demand 1 day before, at 2026-11-24 10:30Z, asked 4) from ", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var stored = Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.ExpectedEvents);
        Assert.Equal((12, 3.0, 4, "zhangsan", "Api", "push to 30M users"), (stored.Replicas, stored.Multiplier!.Value, stored.BaseReplicas!.Value, stored.By, stored.Channel, stored.Reason));
        Assert.Equal(30 + 60 + 300, stored.LeadSeconds); // observed start-up, slack, and time to approve
        Assert.Contains(_server.Events.Recorded, e => e.Reason == ScaleEventReasons.EventExpected);
        var history = await _server.Service<HistoryService>().ListAsync("shop", Now.AddHours(-1), Now, default);
        Assert.Equal("push to 30M users", Assert.Single(history, h => h.Kind == HistoryKind.Prepared).Reason); // scalectl get history -o wide

        await Tick();
        Assert.Empty(await Open());

        await Tick(seconds: (30 * 60) - 390 - 5); // just before the lead
        Assert.Empty(await Open());

        await Tick(seconds: 10); // just inside it
        var proposal = Assert.Single(await Open());
        Assert.Equal((4, 12), (proposal.Spec.FromReplicas, proposal.Spec.ToReplicas));
        Assert.Contains("expected event event-20261125-1030", proposal.Spec.Reason, StringComparison.Ordinal);
        Assert.Single(_server.Cards.Sent);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Prepare_ReplicasOnAutoPolicy_ScalesWhenTheLeadStartsAndLetsGoAfter()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = Now.AddMinutes(10), durationSeconds = 600, replicas = 9, leadSeconds = 120, name = "kickoff", reason = "match kick-off" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await Tick();
        Assert.Equal(3, _server.Workloads.Replicas("video", "video-transcoder"));
        await Tick(seconds: 8 * 60);
        Assert.Equal(9, _server.Workloads.Replicas("video", "video-transcoder"));

        using var cancel = await client.DeleteAsync("/api/v1/policies/video/video-transcoder/expected-events/kickoff");
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Empty((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task MaxReplicasLoweredBelowARecordedEvent_PutAccepted_EventKept_ItsFloorCappedByTheNewMax()
    {
        // In a storm the admin lowers maxReplicas to spare a downstream: an operator's announced event above it (or one
        // that ended days ago: ended events stay until the next prepare) used to refuse the edit, 400 keyed
        // spec.expectedEvents[0].replicas, and made a kubectl edit an invalid policy the loop stopped acting on.
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        using var client = _server.ClientWith(AdminToken);
        using var prepared = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = Now.AddMinutes(10), durationSeconds = 600, replicas = 30, leadSeconds = 120, name = "kickoff", reason = "match kick-off" });
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);
        var stored = (await _server.Policies.GetAsync("video", "video-transcoder", default))!;

        using var lowered = await client.PutJson("/api/v1/policies/video/video-transcoder", stored with { Spec = stored.Spec with { MaxReplicas = 12 } });

        Assert.Equal(HttpStatusCode.OK, lowered.StatusCode);
        var edited = (await _server.Policies.GetAsync("video", "video-transcoder", default))!;
        Assert.Equal(12, edited.Spec.MaxReplicas);
        Assert.Equal(30, Assert.Single(edited.Spec.ExpectedEvents).Replicas);
        await Tick(seconds: 9 * 60); // inside the event's lead: the floor counts, capped by the new maxReplicas
        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));
    }

    [Fact]
    public async Task Prepare_BadBody_Returns400WithFieldPathsAndChangesNothing()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { durationSeconds = 0, multiplier = 3.0, replicas = 9, name = "Not A Label", reason = new string('x', 1001) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJson()).GetProperty("errors");
        foreach (var field in new[] { "at", "durationSeconds", "multiplier", "name", "reason" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"{field} missing in {errors}");
        }

        Assert.Empty((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task Prepare_EndedAboveMaxOrUnknown_ClearProblemsKeyedByTheField()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        using var client = _server.ClientWith(AdminToken);

        using var ended = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = Now.AddHours(-2), durationSeconds = 600, replicas = 5, reason = "yesterday" });
        using var aboveMax = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = Now.AddHours(1), durationSeconds = 600, replicas = 5_000, reason = "too much" });
        using var unknown = await client.PostJson("/api/v1/policies/video/ghost/expected-events",
            new { at = Now.AddHours(1), durationSeconds = 600, replicas = 5, reason = "nobody" });
        using var noEvent = await client.DeleteAsync("/api/v1/policies/video/video-transcoder/expected-events/none");

        Assert.Equal(HttpStatusCode.BadRequest, ended.StatusCode);
        Assert.Contains("already ended", (await ended.ReadJson()).GetProperty("errors").GetProperty("at")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, aboveMax.StatusCode);
        Assert.Contains("maxReplicas", (await aboveMax.ReadJson()).GetProperty("errors").GetProperty("replicas")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noEvent.StatusCode);
        Assert.Empty((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task Prepare_AtTheEndOfTheCalendarOrWithControlCharacters_400NotA500_ChangesNothing()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        using var client = _server.ClientWith(AdminToken);

        using var farAway = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = "9999-12-31T23:59:59+00:00", durationSeconds = 1200, replicas = 5, reason = "x" });
        using var escapes = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = Now.AddHours(1), durationSeconds = 600, replicas = 5, reason = "evil \u001b[31mred\u202e txt" });

        Assert.Equal(HttpStatusCode.BadRequest, farAway.StatusCode);
        // Past any time ScaleControl accepts, before the event's own window (30 days ahead) is asked: the range is said.
        Assert.Equal("at must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z.", (await farAway.ReadJson()).GetProperty("errors").GetProperty("at")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, escapes.StatusCode);
        Assert.Contains("plain text", (await escapes.ReadJson()).GetProperty("errors").GetProperty("reason")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.ExpectedEvents);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:01+00:00")]
    [InlineData("9999-12-31T23:59:59+00:00")]
    public async Task StoredEvent_AtTheEndOfTheCalendar_ThePolicyIsStillEvaluated(string at)
    {
        // Written behind the API's back (kubectl: the CRD's date-time format has no range), then prepared on top.
        var policy = TestPolicies.Auto();
        await Given(policy with
        {
            Spec = policy.Spec with
            {
                ExpectedEvents = [new ExpectedEventSpec { Name = "odd", At = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), DurationSeconds = 600, LeadSeconds = 300, Replicas = 9, Reason = "x" }],
            },
        }, replicas: 3, qps: 600);

        await Tick();
        using var client = _server.ClientWith(AdminToken);
        using var prepared = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = Now.AddHours(1), durationSeconds = 600, replicas = 5, reason = "gala" });

        var status = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status;
        Assert.Equal(Now, status?.LastEvaluationTime);
        Assert.NotEqual(3, _server.Workloads.Replicas("video", "video-transcoder")); // 600 qps: the loop acted
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);
    }

    [Theory]
    [InlineData(ViewerToken, HttpStatusCode.Forbidden)]
    [InlineData(ShopOperatorToken, HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Prepare_WithoutOperatorRightsInTheNamespace_Refused(string? token, HttpStatusCode expected)
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        using var client = _server.ClientWith(token);

        using var response = await client.PostJson("/api/v1/policies/video/video-transcoder/expected-events",
            new { at = Now.AddHours(1), durationSeconds = 600, replicas = 5, reason = "x" });

        Assert.Equal(expected, response.StatusCode);
        Assert.Empty((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task PrepareService_ForChat_PrunesEndedEventsAndRecordsTheChannel()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        var service = _server.Service<PreparationService>();
        await service.PrepareAsync("video", "video-transcoder", new PrepareRequest(Now.AddMinutes(1), 60, "short", Replicas: 4, Name: "short"), "lisi", ApprovalChannel.DingTalk, default);
        _server.Time.Advance(TimeSpan.FromMinutes(5));

        var result = await service.PrepareAsync("video", "video-transcoder", new PrepareRequest(Now.AddHours(1), 600, "gala", Multiplier: 2), "lisi", ApprovalChannel.DingTalk, default);

        Assert.Equal(6, result.Event!.Replicas);
        var only = Assert.Single(result.Policy!.Spec.ExpectedEvents);
        Assert.Equal(("DingTalk", "lisi"), (only.Channel, only.By));
    }

    [Fact]
    public async Task Prepare_TwoEventsAtTheSameMinuteWithoutNames_BothKept_ANamedOneIsReplacedAndSaysSo()
    {
        await Given(TestPolicies.Auto(), replicas: 3, qps: 300);
        var service = _server.Service<PreparationService>();
        var at = Now.AddHours(1);

        var push = await service.PrepareAsync("video", "video-transcoder", new PrepareRequest(at, 600, "push to 30M users", Replicas: 8), "zhangsan", ApprovalChannel.Cli, default);
        var kickOff = await service.PrepareAsync("video", "video-transcoder", new PrepareRequest(at.AddSeconds(20), 1200, "match kick-off", Replicas: 6), "lisi", ApprovalChannel.Cli, default);

        // The default name is per minute; a second announcement must not silently wipe the first one.
        Assert.Equal("event-20261125-1100", push.Event!.Name);
        Assert.Equal("event-20261125-1100-2", kickOff.Event!.Name);
        var stored = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.ExpectedEvents;
        Assert.Equal(["push to 30M users", "match kick-off"], stored.Select(e => e.Reason));

        var renamed = await service.PrepareAsync("video", "video-transcoder", new PrepareRequest(at, 600, "bigger push", Replicas: 10, Name: "event-20261125-1100"), "zhangsan", ApprovalChannel.Cli, default);
        Assert.Contains("replaces the event recorded by zhangsan (push to 30M users)", renamed.Message, StringComparison.Ordinal);
        stored = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Spec.ExpectedEvents;
        Assert.Equal(["match kick-off", "bigger push"], stored.Select(e => e.Reason));
    }

    [Fact]
    public async Task Prepare_FloorNotAboveToday_SaysItChangesNothing_NotThatACardComes()
    {
        // Live: '--expect 0.5x' on 6 replicas answered "floor 3 ...; it comes as a card when the floor starts".
        await Given(TestPolicies.Approval(), replicas: 6, qps: 300);

        var result = await _server.Service<PreparationService>().PrepareAsync("shop", "checkout-api", new PrepareRequest(Now.AddHours(1), 600, "quiet", Multiplier: 0.5), "zhangsan", ApprovalChannel.Cli, default);

        Assert.Contains("floor 3 replicas (0.5x of 6: 6 running now;", result.Message, StringComparison.Ordinal);
        Assert.Contains("at or below today's 6 replicas, so it changes nothing", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("card", result.Message, StringComparison.Ordinal);
    }

    private async Task Given(ScalePolicy policy, int replicas, double qps)
    {
        _server.Workloads.Add(policy.Metadata.Namespace, policy.Spec.Target.Name, replicas);
        await _server.Policies.UpsertAsync(policy, default);
        _server.Metrics.Set(TestPolicies.Query(policy.Spec.Target.Name), qps);
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }

    private async Task<IReadOnlyList<ScaleProposal>> Open() =>
        [.. (await _server.Proposals.ListAsync("shop", default)).Where(p => p.Status.Phase.IsOpen())];
}
