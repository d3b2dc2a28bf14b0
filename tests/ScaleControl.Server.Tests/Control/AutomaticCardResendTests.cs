using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// DingTalk down while an Automatic policy ramps video-transcoder 4 → 7 → 12 → 15: every step's card fails. Once
/// DingTalk answers again the card reconciler delivers the burst's card, once, showing the whole ramp, and the burst's
/// next steps join it. The cards live in the DingTalk emulator (real HTTP, the real adapter), its fault script making
/// the sends fail; one fake clock for the server and the emulator.
/// </summary>
public sealed class AutomaticCardResendTests : ServerWithDingTalk
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Server.Workloads.Add("video", "video-transcoder", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Auto(), default);
    }

    [Fact]
    public async Task DingTalkDownDuringABurst_BackAgain_OneCardShowsTheRamp_AndTheNextStepJoinsIt()
    {
        var down = Emulator.Service<FaultInjector>().Arm(new FaultRule("*", FaultKind.Error, Times: -1, StatusCode: 400, Code: "param.unavailable", Message: "DingTalk down"));
        await StepAsync(qps: 700, seconds: 0);
        await StepAsync(qps: 1200, seconds: 60);
        await StepAsync(qps: 1500, seconds: 60);
        var steps = await StepsAsync();
        Assert.Equal([7, 12, 15], steps.Select(s => s.Status.AppliedReplicas ?? 0));
        Assert.All(steps, s => Assert.NotNull(s.Status.Card?.Error));
        Assert.Empty(await AllCardsAsync());

        Emulator.Service<FaultInjector>().Clear();
        await Tick(seconds: 31);

        var outTrackId = steps[0].Status.Card!.OutTrackId;
        var card = Assert.Single(await AllCardsAsync());
        Assert.Equal(outTrackId, card.GetProperty("outTrackId").GetString());
        Assert.Contains("4 → 7 → 12 → 15", await TitleAsync(outTrackId), StringComparison.Ordinal);
        Assert.All(await StepsAsync(), s =>
        {
            Assert.Equal((outTrackId, "cidOnCall==", null), (s.Status.Card?.OutTrackId, s.Status.Card?.OpenConversationId, s.Status.Card?.Error));
            Assert.Equal(CardState.Of(s), s.Status.Card!.ShownState); // the card records what it showed
        });

        await StepAsync(qps: 1800, seconds: 60);

        var next = (await StepsAsync())[^1];
        Assert.Equal((18, outTrackId), (next.Status.AppliedReplicas, next.Status.Card?.OutTrackId));
        Assert.Single(await AllCardsAsync());
        Assert.Contains("4 → 7 → 12 → 15 → 18", await TitleAsync(outTrackId), StringComparison.Ordinal);
        await Tick(seconds: 31);
        Assert.Single(await AllCardsAsync());
        Assert.DoesNotContain(down, Emulator.Service<FaultInjector>().Rules);
    }

    [Fact]
    public async Task FirstStepsCardFailed_TheNextStepsCardArrived_ItIsTheBurstsCard_NoOtherIsPosted()
    {
        // The first step's send fails, and so does the reconciler's first try at the next tick; the next step's own send gets through.
        Emulator.Service<FaultInjector>().Arm(new FaultRule("/v1.0/card/instances/createAndDeliver", FaultKind.Error, Times: 2, StatusCode: 400, Code: "param.unavailable", Message: "DingTalk down"));
        await StepAsync(qps: 700, seconds: 0);
        await StepAsync(qps: 1200, seconds: 60);
        var steps = await StepsAsync();
        Assert.NotNull(steps[0].Status.Card?.Error);
        Assert.Null(steps[1].Status.Card?.Error);

        await Tick(seconds: 31);
        await Tick(seconds: 31);

        var card = Assert.Single(await AllCardsAsync());
        Assert.Equal(steps[1].Status.Card!.OutTrackId, card.GetProperty("outTrackId").GetString());
        Assert.Equal(steps[0].Status.Card, (await StepsAsync())[0].Status.Card); // left as it was
    }

    private Task StepAsync(double qps, int seconds)
    {
        Server.Metrics.Set(TestPolicies.Query("video-transcoder"), qps);
        return Tick(seconds);
    }

    private async Task<List<ScaleProposal>> StepsAsync() =>
        (await Server.Proposals.ListAsync("video", default)).OrderBy(ProposalFactory.CreatedAt).ToList();

    private async Task<string?> TitleAsync(string outTrackId) =>
        (await Emulator.CardAsync(outTrackId)).GetProperty("cardData").GetProperty("title").GetString();

    private async Task<JsonElement[]> AllCardsAsync() =>
        (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("cards"))!;
}
