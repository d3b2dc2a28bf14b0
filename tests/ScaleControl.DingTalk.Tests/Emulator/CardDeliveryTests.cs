using System.Net;
using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Tests.Support;

namespace ScaleControl.DingTalk.Tests.Emulator;

public class CardDeliveryTests
{
    private const string OutTrackId = "shop.checkout-api-7f3a";

    [Fact]
    public async Task SendProposalAsync_NewProposal_CardRendersInGroupWithButtonsAndMentions()
    {
        await using var world = await DingTalkWorld.StartAsync();

        var reference = await world.ClientService<IApprovalNotifier>().SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);

        Assert.Null(reference.Error);
        Assert.Equal(OutTrackId, reference.OutTrackId);
        Assert.Equal(DingTalkWorld.Group, reference.OpenConversationId);
        var card = await world.CardAsync(OutTrackId);
        Assert.Equal("pending", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal("STREAM", card.GetProperty("callbackType").GetString());
        Assert.Empty(card.GetProperty("renderWarnings").EnumerateArray());
        Assert.Equal(["approve", "approve_half", "reject"], card.GetProperty("buttons").EnumerateArray().Select(b => b.GetProperty("actionId").GetString()));
        var space = Assert.Single(card.GetProperty("spaces").EnumerateArray());
        Assert.Equal("IM_GROUP", space.GetProperty("spaceType").GetString());
        Assert.True(space.GetProperty("success").GetBoolean());
        Assert.Equal(["lisi", "zhangsan"], space.GetProperty("atUserIds").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task SendProposalAsync_SentAgain_TreatsCardAlreadyExistAsCreatedAndUpdates()
    {
        await using var world = await DingTalkWorld.StartAsync();
        var notifier = world.ClientService<IApprovalNotifier>();
        await notifier.SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);

        var again = await notifier.SendProposalAsync(SampleProposals.Pending(to: 70), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);

        Assert.Null(again.Error);
        Assert.Equal(2, world.Requests.Count("/createAndDeliver"));
        Assert.Equal("70", (await world.CardAsync(OutTrackId)).GetProperty("cardData").GetProperty("replicasTo").GetString());
    }

    [Fact]
    public async Task UpdateProposalAsync_CardNoLongerInDingTalk_DeliversItAgainShowingTheOutcomeWithoutMentions()
    {
        // The sandbox's emulator forgets its cards on a restart while the proposals are kept: the card update would
        // fail with param.cardNotExist on every tick and the group would never see the outcome.
        await using var world = await DingTalkWorld.StartAsync();
        var applied = SampleProposals.Pending().With(SampleProposals.Pending().Status with
        {
            Phase = ProposalPhase.Applied,
            AppliedReplicas = 60,
            AppliedAt = SampleProposals.Created.AddMinutes(1),
            Card = new CardReference { OutTrackId = OutTrackId, OpenConversationId = DingTalkWorld.Group, SentAt = SampleProposals.Created },
        });

        await world.ClientService<IApprovalNotifier>().UpdateProposalAsync(applied, CancellationToken.None);

        var card = await world.CardAsync(OutTrackId);
        Assert.Equal("applied", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.DoesNotContain(card.GetProperty("buttons").EnumerateArray(), b => b.GetProperty("actionId").GetString() == "approve");
        var space = Assert.Single(card.GetProperty("spaces").EnumerateArray());
        Assert.Equal(DingTalkWorld.Group, space.GetProperty("spaceId").GetString());
        Assert.Empty(space.GetProperty("atUserIds").EnumerateObject());
    }

    [Fact]
    public async Task SendProposalAsync_UnpublishedTemplate_ReportsErrorWithoutRetrying()
    {
        await using var world = await DingTalkWorld.StartAsync(clientSettings: new() { ["ScaleControl:DingTalk:CardTemplateId"] = "scalecontrol-draft.schema" });

        var reference = await world.ClientService<IApprovalNotifier>().SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);

        Assert.Contains("param.templateUnpublished", reference.Error);
        Assert.Equal(1, world.Requests.Count("/createAndDeliver"));
    }

    [Fact]
    public async Task SendProposalAsync_UnknownGroup_ReportsTheDingTalkError()
    {
        await using var world = await DingTalkWorld.StartAsync();

        var reference = await world.ClientService<IApprovalNotifier>().SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy("cidNoSuchGroup=="), CancellationToken.None);

        Assert.NotNull(reference.Error);
        Assert.Null(reference.SentAt);
    }

    [Fact]
    public async Task SendProposalAsync_DeliveryFailsForTheSpace_ReportsPerSpaceError()
    {
        await using var world = await DingTalkWorld.StartAsync();
        await world.ArmFaultAsync(new { api = "/v1.0/card/instances/createAndDeliver", kind = "DeliveryFailure" });

        var reference = await world.ClientService<IApprovalNotifier>().SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);

        Assert.StartsWith($"delivery to IM_GROUP {DingTalkWorld.Group} failed", reference.Error);
    }

    [Theory]
    [InlineData("QpsLimit")]
    [InlineData("QpsLimitForApi")]
    [InlineData("SystemBusy")]
    public async Task SendProposalAsync_ThrottledOrBusyTwice_RetriesAndSucceeds(string fault)
    {
        await using var world = await DingTalkWorld.StartAsync();
        await world.ArmFaultAsync(new { api = "/v1.0/card/instances/createAndDeliver", kind = fault, times = 2 });

        var reference = await world.ClientService<IApprovalNotifier>().SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);

        Assert.Null(reference.Error);
        Assert.Equal(3, world.Requests.Count("/createAndDeliver"));
    }

    [Fact]
    public async Task SendProposalAsync_MonthlyQuotaExhausted_NotRetried()
    {
        await using var world = await DingTalkWorld.StartAsync();
        await world.ArmFaultAsync(new { api = "/v1.0/card/instances/createAndDeliver", kind = "ApiCountLimit" });

        var reference = await world.ClientService<IApprovalNotifier>().SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);

        Assert.Contains("ApiCountLimitForOrg", reference.Error);
        Assert.Equal(1, world.Requests.Count("/createAndDeliver"));
    }

    [Fact]
    public async Task UpdateProposalAsync_MergesByKey_WhileAnOverwriteReplacesEverything()
    {
        await using var world = await DingTalkWorld.StartAsync();
        await world.ClientService<IApprovalNotifier>().SendProposalAsync(SampleProposals.Pending(), SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);
        var api = world.ClientService<DingTalkApiClient>();
        await api.UpdateCardAsync(new UpdateCardRequest
        {
            OutTrackId = OutTrackId,
            CardData = new CardParams(new Dictionary<string, string> { ["sys_note"] = "kept" }),
            CardUpdateOptions = new CardUpdateOptions(true, true),
        }, CancellationToken.None);

        var applied = SampleProposals.Pending().With(new ScaleProposalStatus
        {
            Phase = ProposalPhase.Applied,
            Approvals = [new ApprovalRecord { User = "zhangsan", At = SampleProposals.Created, Replicas = 60 }],
            AppliedReplicas = 60,
        });
        await world.ClientService<IApprovalNotifier>().UpdateProposalAsync(applied, CancellationToken.None);
        var merged = (await world.CardAsync(OutTrackId)).GetProperty("cardData");

        await api.UpdateCardAsync(new UpdateCardRequest
        {
            OutTrackId = OutTrackId,
            CardData = new CardParams(new Dictionary<string, string> { ["status"] = "applied" }),
        }, CancellationToken.None);
        var overwritten = (await world.CardAsync(OutTrackId)).GetProperty("cardData");

        Assert.Equal("applied", merged.GetProperty("status").GetString());
        Assert.Equal("kept", merged.GetProperty("sys_note").GetString());
        Assert.Equal("shop/checkout-api: 20 → 60 replicas", merged.GetProperty("title").GetString());
        Assert.Equal(["status"], overwritten.EnumerateObject().Select(p => p.Name));
        Assert.Empty((await world.CardAsync(OutTrackId)).GetProperty("buttons").EnumerateArray());
    }

    [Fact]
    public async Task UpdateProposalAsync_CardThatDoesNotExist_ThrowsTypedError()
    {
        await using var world = await DingTalkWorld.StartAsync();

        var error = await Assert.ThrowsAsync<DingTalkApiException>(() =>
            world.ClientService<IApprovalNotifier>().UpdateProposalAsync(SampleProposals.Pending(name: "ghost"), CancellationToken.None));

        Assert.Equal("param.cardNotExist", error.Code);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
    }
}
