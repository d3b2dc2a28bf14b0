using System.Net;
using System.Net.Http.Json;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

public sealed class PoliciesApiTests : IClassFixture<ServerFactory>
{
    private readonly ServerFactory _server;

    public PoliciesApiTests(ServerFactory server) => _server = server;

    [Fact]
    public async Task PutPolicy_Invalid_Returns400WithFieldPaths()
    {
        var policy = TestPolicies.Approval("shop", "bad-api");
        policy = policy with { Spec = policy.Spec with { MinReplicas = 10, MaxReplicas = 2, Metrics = [new MetricSpec { Name = "qps", Query = "", Target = 100 }] } };
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.PutJson("/api/v1/policies/shop/bad-api", policy);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJson()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("spec.metrics[0].query", out _), errors.ToString());
        Assert.Contains(errors.EnumerateObject(), e => e.Name is "spec.maxReplicas" or "spec.minReplicas");
        Assert.Null(await _server.Policies.GetAsync("shop", "bad-api", default));
    }

    [Fact]
    public async Task PutPolicy_NameDiffersFromRoute_Returns400()
    {
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.PutJson("/api/v1/policies/shop/route-name", TestPolicies.Approval("shop", "body-name"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJson()).GetProperty("errors").TryGetProperty("metadata.name", out _));
    }

    [Fact]
    public async Task PutPolicy_EmptyName_CreatesThenReplaces()
    {
        var policy = TestPolicies.Auto("video", "encoder");
        policy = policy with { Metadata = new ObjectMeta { Name = "", Namespace = "video" } };
        using var client = _server.ClientWith(AdminToken);

        using var created = await client.PutJson("/api/v1/policies/video/encoder", policy);
        using var replaced = await client.PutJson("/api/v1/policies/video/encoder", policy with { Spec = policy.Spec with { MaxReplicas = 9 } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(9, (await _server.Policies.GetAsync("video", "encoder", default))!.Spec.MaxReplicas);
    }

    [Fact]
    public async Task GetPolicy_Missing_Returns404Problem()
    {
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.GetAsync("/api/v1/policies/shop/ghost");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("shop/ghost", (await response.ReadJson()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ValidatePolicy_Valid_ReturnsValidTrue()
    {
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/validate", TestPolicies.Auto());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.ReadJson()).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task ValidatePolicy_ObserveMode_Valid()
    {
        using var client = _server.ClientWith(ViewerToken);
        var policy = TestPolicies.Auto();

        using var response = await client.PostJson("/api/v1/policies/validate", policy with { Spec = policy.Spec with { Mode = ScaleMode.Observe } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.ReadJson()).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task PutPolicy_ScaleDownObserveUnderAnActingMode_400KeyedByTheFieldPath()
    {
        using var client = _server.ClientWith(AdminToken);
        var policy = TestPolicies.Auto();

        using var response = await client.PutAsJsonAsync("/api/v1/policies/video/video-transcoder",
            policy with { Spec = policy.Spec with { ScaleDownMode = ScaleMode.Observe } }, Http.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJson()).GetProperty("errors");
        Assert.StartsWith("scaleDownMode Observe needs mode Observe", errors.GetProperty("spec.scaleDownMode")[0].GetString(), StringComparison.Ordinal);
        Assert.Null(await _server.Policies.GetAsync("video", "video-transcoder", default));
    }

    [Fact]
    public async Task Evaluate_HighTraffic_ReturnsDecisionWithoutApplying()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto("video", "eval-me"), default);
        _server.Workloads.Add("video", "eval-me", 3);
        _server.Metrics.Set(TestPolicies.Query("eval-me"), 1000);
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostAsync("/api/v1/policies/video/eval-me/evaluate", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = await response.Read<Decision>();
        Assert.Equal(10, decision.DesiredReplicas);
        Assert.Equal(DecisionOutcome.ApplyNow, decision.Outcome);
        Assert.Equal(3, _server.Workloads.Replicas("video", "eval-me"));
    }

    [Fact]
    public async Task WhatIf_SteadyHighTraffic_ReplaysStepsAndSummarises()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto("video", "replay-me"), default);
        _server.Workloads.Add("video", "replay-me", 2);
        _server.Metrics.Set(TestPolicies.Query("replay-me"), 800);
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/replay-me/whatif", new { fromSeconds = 300, stepSeconds = 15 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJson();
        Assert.Equal(21, result.GetProperty("steps").GetArrayLength());
        Assert.Equal(8, result.GetProperty("summary").GetProperty("maxReplicas").GetInt32());
        Assert.True(result.GetProperty("summary").GetProperty("applied").GetInt32() >= 1);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, result.GetProperty("note").ValueKind); // scaling up: nothing held at the start
    }

    [Fact]
    public async Task WhatIf_ChangeBetweenReportedSteps_ItsRowIsShown()
    {
        // Evaluated every 5 s, reported every 15 s: a floor starting 52 s in changes the count off the report grid.
        // The summary counted the change while no row showed it (seen live: 'would have: 1 changes', only Hold rows).
        var now = _server.Time.GetUtcNow();
        var policy = TestPolicies.Auto("video", "off-grid");
        policy = policy with
        {
            Spec = policy.Spec with
            {
                ExpectedEvents = [new ExpectedEventSpec { Name = "push", At = now.AddSeconds(-248), DurationSeconds = 3600, LeadSeconds = 0, Replicas = 6, Reason = "push" }],
            },
        };
        await _server.Policies.UpsertAsync(policy, default);
        _server.Workloads.Add("video", "off-grid", 2);
        _server.Metrics.Set(TestPolicies.Query("off-grid"), 150);
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/off-grid/whatif", new { fromSeconds = 300, stepSeconds = 15 });

        var result = await response.ReadJson();
        Assert.Equal(1, result.GetProperty("summary").GetProperty("applied").GetInt32());
        var change = Assert.Single(result.GetProperty("steps").EnumerateArray(), s => s.GetProperty("outcome").GetString() == "ApplyNow");
        Assert.Equal(now.AddSeconds(-245), change.GetProperty("time").GetDateTimeOffset());
        Assert.Equal((2, 6), (change.GetProperty("currentReplicas").GetInt32(), change.GetProperty("desiredReplicas").GetInt32()));
    }

    [Fact]
    public async Task WhatIf_StartsAboveWhatTrafficNeeds_HoldsForTheWindowAndSaysWhy()
    {
        // 8 replicas, traffic for 2: the replay holds 8 for the 300 s window (as a loop that just started would) and
        // must say so, or a reader comparing it with the running loop (which scaled down at once) is misled.
        await _server.Policies.UpsertAsync(TestPolicies.Auto("video", "held-8"), default);
        _server.Workloads.Add("video", "held-8", 8);
        _server.Metrics.Set(TestPolicies.Query("held-8"), 150);
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/held-8/whatif", new { fromSeconds = 600, stepSeconds = 15 });

        var result = await response.ReadJson();
        Assert.Contains("holds 8 replicas for the scale-down window (300s)", result.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal(8, result.GetProperty("steps")[0].GetProperty("desiredReplicas").GetInt32());
        Assert.True(result.GetProperty("summary").GetProperty("minReplicas").GetInt32() < 8); // then it scales down
    }

    [Fact]
    public async Task WhatIf_ScaledUpDuringTheWindow_StartsFromTheCountBefore_NotToday()
    {
        // Quiet traffic (2 replicas' worth); 2 minutes ago someone's approval took it 2 → 8.
        await _server.Policies.UpsertAsync(TestPolicies.Auto("video", "was-two"), default);
        _server.Workloads.Add("video", "was-two", 8);
        _server.Metrics.Set(TestPolicies.Query("was-two"), 150);
        var appliedAt = _server.Time.GetUtcNow().AddMinutes(-2);
        await _server.Proposals.CreateAsync(new ScaleProposal
        {
            Metadata = new ObjectMeta { Name = "was-two-up", Namespace = "video" },
            Spec = new ScaleProposalSpec { PolicyName = "was-two", Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "was-two" }, FromReplicas = 2, ToReplicas = 8 },
            Status = new ScaleProposalStatus
            {
                Phase = ProposalPhase.Applied,
                AppliedReplicas = 8,
                AppliedAt = appliedAt,
                History = [new PhaseTransition { To = ProposalPhase.Pending, At = appliedAt.AddMinutes(-1) }, new PhaseTransition { From = ProposalPhase.Applying, To = ProposalPhase.Applied, At = appliedAt }],
            },
        }, default);
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/was-two/whatif", new { fromSeconds = 300, stepSeconds = 15 });

        var result = await response.ReadJson();
        Assert.Equal(2, result.GetProperty("startReplicas").GetInt32());
        Assert.Contains("was-two-up", result.GetProperty("startedFrom").GetString());
        Assert.Equal(2, result.GetProperty("steps")[0].GetProperty("currentReplicas").GetInt32());
        Assert.Equal(0, result.GetProperty("summary").GetProperty("applied").GetInt32()); // no bogus first "ApplyNow 8 → 2"
    }

    [Theory]
    [InlineData(null, 120, "the policy's escalation time (approval.escalation.afterSeconds)")] // the policy DINGs after 120 s
    [InlineData(0, 0, "as asked")]
    [InlineData(300, 300, "as asked")]
    public async Task WhatIf_ApprovalPolicy_CapacityArrivesWhenAPersonApproves(int? asked, int delay, string source)
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval("shop", "slow-approver"), default);
        _server.Workloads.Add("shop", "slow-approver", 4);
        _server.Metrics.Set(TestPolicies.Query("slow-approver"), 1000); // 10 replicas' worth from the first second
        using var client = _server.ClientWith(ViewerToken);
        var from = _server.Time.GetUtcNow().AddSeconds(-600);

        using var response = await client.PostJson("/api/v1/policies/shop/slow-approver/whatif", new { fromSeconds = 600, stepSeconds = 15, approvalDelaySeconds = asked });

        var result = await response.ReadJson();
        Assert.Equal((delay, source), (result.GetProperty("approvalDelaySeconds").GetInt32(), result.GetProperty("approvalDelaySource").GetString()));
        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        var firstAt10 = steps.First(s => s.GetProperty("currentReplicas").GetInt32() == 10).GetProperty("time").GetDateTimeOffset();
        var lastAt4 = steps.Last(s => s.GetProperty("currentReplicas").GetInt32() == 4).GetProperty("time").GetDateTimeOffset();
        Assert.Equal(from.AddSeconds(delay), lastAt4); // the row where the approval lands still runs 4; the next runs 10
        Assert.True(firstAt10 > lastAt4);
        var summary = result.GetProperty("summary");
        Assert.Equal((1, 1, 0, 1), (summary.GetProperty("proposals").GetInt32(), summary.GetProperty("approved").GetInt32(), summary.GetProperty("expired").GetInt32(), summary.GetProperty("changes").GetInt32()));
        if (delay > 0)
        {
            var approvedRow = steps.Single(s => s.GetProperty("approval").GetString() is { } said && said.StartsWith("approved 4 → 10", StringComparison.Ordinal));
            Assert.Equal(from.AddSeconds(delay), approvedRow.GetProperty("time").GetDateTimeOffset());
            Assert.StartsWith("proposed 4 → 10, approved at ", steps[0].GetProperty("approval").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WhatIf_ApprovalSlowerThanTheExpiry_ProposalsExpireAndNothingIsApplied()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval("shop", "nobody-answers", expiry: 300), default);
        _server.Workloads.Add("shop", "nobody-answers", 4);
        _server.Metrics.Set(TestPolicies.Query("nobody-answers"), 1000);
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/shop/nobody-answers/whatif", new { fromSeconds = 900, stepSeconds = 15, approvalDelaySeconds = 600 });

        var summary = (await response.ReadJson()).GetProperty("summary");
        Assert.Equal((0, 4, 0), (summary.GetProperty("changes").GetInt32(), summary.GetProperty("maxReplicas").GetInt32(), summary.GetProperty("approved").GetInt32()));
        Assert.True(summary.GetProperty("expired").GetInt32() >= 2, summary.ToString());
    }

    [Fact]
    public async Task WhatIf_WindowEndingInThePast_ReplaysThatWindow()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval("shop", "incident"), default);
        _server.Workloads.Add("shop", "incident", 4);
        _server.Metrics.Set(TestPolicies.Query("incident"), 1000);
        using var client = _server.ClientWith(ViewerToken);
        var to = _server.Time.GetUtcNow().AddHours(-3);

        using var response = await client.PostJson("/api/v1/policies/shop/incident/whatif", new { fromSeconds = 600, stepSeconds = 15, to });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.ReadJson();
        Assert.Equal((to.AddSeconds(-600), to), (result.GetProperty("from").GetDateTimeOffset(), result.GetProperty("to").GetDateTimeOffset()));
        Assert.All(result.GetProperty("steps").EnumerateArray(), s => Assert.InRange(s.GetProperty("time").GetDateTimeOffset(), to.AddSeconds(-600), to));
    }

    [Theory]
    [InlineData(2)] // the future, beyond a minute of clock skew
    [InlineData(-8 * 24)] // older than the 7 days a replay reaches back
    public async Task WhatIf_WindowEndOutOfReach_Returns400NamingTo(int hoursFromNow)
    {
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/x/whatif", new { fromSeconds = 600, stepSeconds = 15, to = _server.Time.GetUtcNow().AddHours(hoursFromNow) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJson()).GetProperty("errors");
        Assert.StartsWith("to must lie within the last 7 days and not in the future", errors.GetProperty("to")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatIf_ApprovalDelayOutOfRange_Returns400NamingIt()
    {
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/x/whatif", new { fromSeconds = 600, stepSeconds = 15, approvalDelaySeconds = -1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJson()).GetProperty("errors").TryGetProperty("approvalDelaySeconds", out _));
    }

    [Theory]
    [InlineData(MetricStatus.InvalidQuery, "bad_data: unknown metric", 422)]
    [InlineData(MetricStatus.Unavailable, "connection refused", 503)]
    public async Task WhatIf_MetricSourceFails_IsAProblemNamingTheQuery_NotA500(MetricStatus status, string problem, int expected)
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto("video", "no-history"), default);
        _server.Workloads.Add("video", "no-history", 2);
        _server.Metrics.FailRange(TestPolicies.Query("no-history"), new MetricQueryException(status, problem));
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/no-history/whatif", new { fromSeconds = 300, stepSeconds = 15 });

        Assert.Equal(expected, (int)response.StatusCode);
        var detail = (await response.ReadJson()).GetProperty("detail").GetString();
        Assert.Equal($"query {TestPolicies.Query("no-history")}: {problem}", detail);
    }

    [Fact]
    public async Task WhatIf_BadRange_Returns400()
    {
        using var client = _server.ClientWith(ViewerToken);

        using var response = await client.PostJson("/api/v1/policies/video/x/whatif", new { fromSeconds = 5, stepSeconds = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJson()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("fromSeconds", out _));
        Assert.True(errors.TryGetProperty("stepSeconds", out _));
    }
}
