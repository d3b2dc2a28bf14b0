using System.Net;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Who may pin: an approver on the policy's roster applies at once within bounds; anyone else's pin becomes a
/// proposal an approver must approve; the two-person rule still applies; leaving min..max needs an explicit flag.
/// </summary>
public sealed class OverrideAuthorizationTests : IDisposable
{
    private const string PinUrl = "/api/v1/workloads/shop/checkout-api/pin";
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Pin_WithoutReplicas_400WithFieldPath_NothingChanges()
    {
        await GivenCheckout(replicas: 4);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(PinUrl, new { durationSeconds = 60, reason = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJson()).GetProperty("errors").TryGetProperty("replicas", out _));
        await AssertUntouched(replicas: 4);
    }

    [Fact]
    public async Task Pin_ToZero_400EvenWithTheFlag_NothingChanges()
    {
        await GivenCheckout(replicas: 4);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(PinUrl, new { replicas = 0, durationSeconds = 60, reason = "x", allowOutsideBounds = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("scaling to zero is not supported", (await response.ReadJson()).GetProperty("errors").GetProperty("replicas")[0].GetString(), StringComparison.Ordinal);
        await AssertUntouched(replicas: 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(51)]
    public async Task Pin_OutsideBoundsWithoutFlag_400OnReplicas_NothingChanges(int replicas)
    {
        await GivenCheckout(replicas: 4);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(PinUrl, new { replicas, durationSeconds = 60, reason = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJson();
        Assert.Contains("allowOutsideBounds", problem.GetProperty("errors").GetProperty("replicas")[0].GetString(), StringComparison.Ordinal);
        await AssertUntouched(replicas: 4);
    }

    [Fact]
    public async Task Pin_OutsideBoundsWithFlag_ByApprover_AppliesAndRecordsIt()
    {
        await GivenCheckout(replicas: 4);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(PinUrl, new { replicas = 1, durationSeconds = 60, reason = "drain", allowOutsideBounds = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _server.Workloads.Replicas("shop", "checkout-api"));
        var record = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        Assert.Contains("outside the policy's bounds 2..50, allowed explicitly", record.Spec.Reason, StringComparison.Ordinal);
        Assert.Equal("pin:outside-bounds", record.Spec.Evidence!.BoundBy);
    }

    [Fact]
    public async Task Pin_ByApprover_AppliesAtOnce()
    {
        await GivenCheckout(replicas: 4);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(PinUrl, new { replicas = 8, durationSeconds = 60, reason = "launch" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(8, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(8, (await response.Read<ScalePolicy>()).Spec.Pin!.Replicas);
    }

    /// <summary>
    /// A pin proposal's card is recorded as showing it, as the loop's proposals are: the reconciler used to render it
    /// again from its tick's read, which could land after a rejection's update and leave the card asking after a "no".
    /// </summary>
    [Fact]
    public async Task Pin_ByOperatorNotOnRoster_TheCardIsRecordedAsShown_TheNextTickDoesNotRenderItAgain()
    {
        await GivenCheckout(replicas: 2);
        using var operatorClient = _server.ClientWith(ShopOperatorToken);

        using var response = await operatorClient.PostJson(PinUrl, new { replicas = 40, durationSeconds = 600, reason = "flash sale" });
        var proposal = await response.Read<ScaleProposal>();
        await _server.Service<Reconciler>().TickAsync(default);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(CardState.IsStale((await _server.Proposals.GetAsync("shop", proposal.Metadata.Name, default))!));
        Assert.DoesNotContain(_server.Cards.Updates, p => p.Metadata.Name == proposal.Metadata.Name);
    }

    [Fact]
    public async Task Pin_ByOperatorNotOnRoster_BecomesAProposal_AppliedOnlyWhenAnApproverApproves()
    {
        await GivenCheckout(replicas: 2);
        using var operatorClient = _server.ClientWith(ShopOperatorToken);

        using var response = await operatorClient.PostJson(PinUrl, new { replicas = 40, durationSeconds = 600, reason = "flash sale" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var proposal = await response.Read<ScaleProposal>();
        Assert.Equal(ProposalPhase.Pending, proposal.Status.Phase);
        Assert.Equal("shopper", proposal.Spec.RequestedBy);
        Assert.NotNull(proposal.Status.Card);
        await AssertUntouched(replicas: 2);

        // The requester cannot approve it; the loop does not supersede it; an approver's approval applies and pins.
        using var self = await operatorClient.PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/approve", new { });
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 100);
        await _server.Service<Reconciler>().TickAsync(default);
        Assert.Equal(ProposalPhase.Pending, (await _server.Proposals.GetAsync("shop", proposal.Metadata.Name, default))!.Status.Phase);

        using var approved = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(40, _server.Workloads.Replicas("shop", "checkout-api"));
        var pin = (await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin!;
        Assert.Equal((40, "shopper", "flash sale"), (pin.Replicas, pin.By, pin.Reason));
        Assert.Equal(_server.Time.GetUtcNow().AddSeconds(600), pin.Until);
    }

    [Fact]
    public async Task Pin_ByApproverAboveTwoPersonThreshold_NeedsASecondApprover()
    {
        var policy = TestPolicies.Approval();
        policy = policy with { Spec = policy.Spec with { Approval = policy.Spec.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 20 } } } };
        await GivenCheckout(replicas: 4, policy);
        using var zhangsan = _server.ClientWith(ZhangsanToken);

        using var response = await zhangsan.PostJson(PinUrl, new { replicas = 30, durationSeconds = 60, reason = "gala" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var proposal = await response.Read<ScaleProposal>();
        Assert.Equal("zhangsan", Assert.Single(proposal.Status.Approvals).User);
        await AssertUntouched(replicas: 4);

        using var second = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(30, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task Pin_OnPolicyWithoutRoster_OperatorAppliesAtOnce()
    {
        _server.Workloads.Add("video", "video-transcoder", 3);
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 12, durationSeconds = 60, reason = "launch" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(12, _server.Workloads.Replicas("video", "video-transcoder"));
    }

    [Fact]
    public async Task Unfreeze_NotFrozen_RecordsNothing()
    {
        await GivenCheckout(replicas: 4);

        using var response = await _server.ClientWith(ZhangsanToken).DeleteAsync("/api/v1/policies/shop/checkout-api/freeze");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_server.Events.Recorded);
        var history = await _server.Service<HistoryService>().ListAsync("shop", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default);
        Assert.DoesNotContain(history, h => h.Kind == HistoryKind.Unfrozen);
    }

    [Fact]
    public async Task Unpin_NotPinned_RecordsNothing()
    {
        await GivenCheckout(replicas: 4);

        using var response = await _server.ClientWith(ZhangsanToken).DeleteAsync(PinUrl);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_server.Events.Recorded);
        Assert.Empty(_server.Notices.Published);
        var history = await _server.Service<HistoryService>().ListAsync("shop", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default);
        Assert.DoesNotContain(history, h => h.Kind == HistoryKind.Pinned);
    }

    [Fact]
    public async Task OpenApi_Pin_RequiresReplicas_OffersTheFlag_AndDocuments202()
    {
        using var response = await _server.ClientWith(null).GetAsync("/openapi/v1.json");
        var document = await response.ReadJson();

        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty("PinRequest");
        Assert.Contains("replicas", schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.True(schema.GetProperty("properties").TryGetProperty("allowOutsideBounds", out _));
        var responses = document.GetProperty("paths").GetProperty("/api/v1/workloads/{ns}/{name}/pin").GetProperty("post").GetProperty("responses");
        Assert.True(responses.TryGetProperty("202", out _), responses.ToString());
        Assert.True(responses.TryGetProperty("400", out _), responses.ToString());
    }

    [Fact]
    public async Task Pin_ByOperatorNotOnRoster_TheRequestAndItsRejectionAreInTheHistory()
    {
        await GivenCheckout(replicas: 2);
        using var response = await _server.ClientWith(ShopOperatorToken).PostJson(PinUrl, new { replicas = 40, durationSeconds = 600, reason = "flash sale" });
        var proposal = await response.Read<ScaleProposal>();

        // While it waits, the history (the dashboard's recent actions, scalectl get history) says who asked for what.
        var asked = Assert.Single(await HistoryOf(proposal));
        Assert.Equal((HistoryKind.Proposed, "shopper", 2, 40), (asked.Kind, asked.By, asked.From, asked.To));
        Assert.Contains("flash sale", asked.Reason, StringComparison.Ordinal);

        using var rejected = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/reject", new { reason = "not during the freeze" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);

        var rejection = Assert.Single(await HistoryOf(proposal), e => e.Kind == HistoryKind.Rejected);
        Assert.Equal(("lisi", "Api", "not during the freeze"), (rejection.By, rejection.Channel, rejection.Reason));
    }

    [Fact]
    public async Task Pin_ByOperatorNotOnRoster_Approved_HistoryHasAskedApprovedAndPinned()
    {
        await GivenCheckout(replicas: 2);
        using var response = await _server.ClientWith(ShopOperatorToken).PostJson(PinUrl, new { replicas = 40, durationSeconds = 600, reason = "flash sale" });
        var proposal = await response.Read<ScaleProposal>();
        _server.Time.Advance(TimeSpan.FromSeconds(30));

        using var approved = await _server.ClientWith(LisiToken).PostJson($"/api/v1/proposals/shop/{proposal.Metadata.Name}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var rows = (await HistoryOf(proposal)).OrderBy(e => e.Time).ThenBy(e => e.Kind).Select(e => (e.Kind, e.By)).ToList();
        Assert.Equal([(HistoryKind.Proposed, "shopper"), (HistoryKind.Approved, "lisi"), (HistoryKind.Pinned, "lisi")], rows);
    }

    [Fact]
    public async Task Pin_ByApprover_AppliedAtOnce_HistoryHasThePinnedRowOnly()
    {
        await GivenCheckout(replicas: 4);

        using var response = await _server.ClientWith(ZhangsanToken).PostJson(PinUrl, new { replicas = 8, durationSeconds = 60, reason = "launch" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        var row = Assert.Single(await HistoryOf(record));
        Assert.Equal((HistoryKind.Pinned, "zhangsan"), (row.Kind, row.By));
    }

    private async Task<IReadOnlyList<HistoryEntry>> HistoryOf(ScaleProposal proposal) =>
        [.. (await _server.Service<HistoryService>().ListAsync("shop", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), default))
            .Where(e => e.Proposal == proposal.Metadata.Name)];

    private async Task GivenCheckout(int replicas, ScalePolicy? policy = null)
    {
        _server.Workloads.Add("shop", "checkout-api", replicas);
        await _server.Policies.UpsertAsync(policy ?? TestPolicies.Approval(), default);
    }

    private async Task AssertUntouched(int replicas)
    {
        Assert.Equal(replicas, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.Pin);
    }
}
