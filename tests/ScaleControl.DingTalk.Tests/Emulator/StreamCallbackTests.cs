using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Stream;
using ScaleControl.DingTalk.Tests.Support;
using ScaleControl.Testing.Timing;

namespace ScaleControl.DingTalk.Tests.Emulator;

public class StreamCallbackTests
{
    private const string OutTrackId = "shop.checkout-api-7f3a";

    /// <summary>
    /// DingTalk's 2 s for a tap's answer, measured on the wall clock: scaled by the tests' patience, as a starved CI
    /// runner stalls 50 concurrent round trips for longer (the handler's early answer is tested on its own, with a gate).
    /// </summary>
    private static readonly double s_answerBudgetMs = Patience.Of(2).TotalMilliseconds;

    private static async Task<DingTalkWorld> WorldWithCardAsync(Action<Sandbox.DingTalk.DingTalkSandboxOptions>? emulator = null, int connections = 2)
    {
        var world = await DingTalkWorld.StartAsync(emulator, new() { ["ScaleControl:DingTalk:StreamConnections"] = connections.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var proposal = SampleProposals.Pending();
        world.Inbox.Add(proposal);
        await world.ClientService<IApprovalNotifier>().SendProposalAsync(proposal, SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None);
        await world.WaitForStreamConnectionsAsync(connections);
        return world;
    }

    private static string Status(JsonElement tap) => tap.GetProperty("tap").GetProperty("status").GetString()!;

    [Fact]
    public async Task Tap_ApproverApproves_CardUpdatedInPlace_OnlyUndoLeft()
    {
        await using var world = await WorldWithCardAsync();

        var (_, body) = await world.TapAsync(OutTrackId, "zhangsan", "approve");

        Assert.Equal("Updated", Status(body));
        var card = body.GetProperty("card");
        Assert.Equal("applied", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal("zhangsan", card.GetProperty("cardData").GetProperty("decidedBy").GetString());
        Assert.Equal(["undo"], card.GetProperty("buttons").EnumerateArray().Select(b => b.GetProperty("actionId").GetString())); // the decision buttons are gone; Undo is offered
        var command = Assert.Single(world.Inbox.Commands);
        // The Approve button carries the count the approver saw (the card's replicasTo).
        Assert.Equal(new ApprovalCommand("shop", "checkout-api-7f3a", "zhangsan", ApprovalChannel.DingTalk, true, Replicas: 60, AwaitOutcome: false), command);
    }

    [Fact]
    public async Task Tap_AnswerDuration_IsRecordedOnTheDingTalkMeter()
    {
        await using var world = await WorldWithCardAsync();
        var factory = world.ClientService<System.Diagnostics.Metrics.IMeterFactory>();
        var measurements = new System.Collections.Concurrent.ConcurrentQueue<(double Value, object? Mode)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == DingTalkMetrics.CallbackDurationName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => measurements.Enqueue((value, tags.ToArray().Single(t => t.Key == "mode").Value)));
        listener.Start();

        await world.TapAsync(OutTrackId, "zhangsan", "approve");

        var measurement = Assert.Single(measurements);
        Assert.Equal("stream", measurement.Mode);
        Assert.InRange(measurement.Value, 0, s_answerBudgetMs);
    }

    [Fact]
    public async Task Tap_ApproveHalf_AppliesTheAlternative()
    {
        await using var world = await WorldWithCardAsync();

        var (_, body) = await world.TapAsync(OutTrackId, "lisi", "approve_half");

        Assert.Equal("Updated", Status(body));
        Assert.Equal(40, world.Inbox.Get("shop", "checkout-api-7f3a").Status.AppliedReplicas);
        Assert.StartsWith("applied 20 → 40", body.GetProperty("card").GetProperty("cardData").GetProperty("result").GetString());
    }

    [Fact]
    public async Task Tap_NonApprover_SeesPrivateMessageAndNothingChanges()
    {
        await using var world = await WorldWithCardAsync();
        var before = await world.CardAsync(OutTrackId);

        var (_, body) = await world.TapAsync(OutTrackId, "wangwu", "approve");

        var after = await world.CardAsync(OutTrackId, "wangwu");
        Assert.Equal(before.GetProperty("cardData").GetRawText(), after.GetProperty("cardData").GetRawText());
        Assert.Equal("you are not an approver for shop/checkout-api", after.GetProperty("userPrivateData").GetProperty("privateMessage").GetString());
        Assert.Equal(3, after.GetProperty("buttons").GetArrayLength());
        Assert.Equal(ProposalPhase.Pending, world.Inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
        Assert.NotEqual("Timeout", Status(body));
        var zhangsanView = await world.CardAsync(OutTrackId, "zhangsan");
        Assert.False(zhangsanView.GetProperty("userPrivateData").TryGetProperty("privateMessage", out _));
    }

    [Fact]
    public async Task Tap_DeliveredTwiceBySameMessageId_DecidedOnce()
    {
        await using var world = await WorldWithCardAsync();
        await world.ArmFaultAsync(new { api = "cardCallback", kind = "DuplicateCallback" });

        var (_, body) = await world.TapAsync(OutTrackId, "zhangsan", "reject");

        Assert.Equal("Updated", Status(body));
        Assert.Single(world.Inbox.Commands);
        Assert.Equal(ProposalPhase.Rejected, world.Inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task Ping_FromGateway_IsEchoed()
    {
        await using var world = await WorldWithCardAsync();
        var connection = (await world.WaitForStreamConnectionsAsync(2)).First().GetProperty("connectionId").GetString();

        using var response = await world.Script.PostAsync($"stream/connections/{connection}/ping", null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True(body.GetProperty("echoed").GetBoolean());
    }

    [Fact]
    public async Task Disconnect_OneOfTwoConnections_TapRightAwayIsNotLost_AndSlotIsRefilled()
    {
        await using var world = await WorldWithCardAsync(o => o.DisconnectGrace = TimeSpan.FromSeconds(1));
        var first = (await world.WaitForStreamConnectionsAsync(2)).First().GetProperty("connectionId").GetString();

        (await world.Script.PostAsync($"stream/connections/{first}/disconnect", null)).EnsureSuccessStatusCode();
        var (_, body) = await world.TapAsync(OutTrackId, "zhangsan", "approve");
        var refilled = await world.WaitForStreamConnectionsAsync(2, c => c.GetProperty("connectionId").GetString() != first);

        Assert.Equal("Updated", Status(body));
        Assert.Equal(2, refilled.Length);
        // The gateway lists a socket as soon as it accepts it, a moment before the client counts it.
        Assert.True(await DingTalkWorld.EventuallyAsync(() => world.ClientService<DingTalkStreamClient>().ConnectionsOpened == 3));
    }

    [Fact]
    public async Task Disconnect_SingleConnection_ReconnectsWithNewTicket_AndNextTapIsNotLost()
    {
        await using var world = await WorldWithCardAsync(o => o.DisconnectGrace = TimeSpan.FromSeconds(1), connections: 1);
        var first = (await world.WaitForStreamConnectionsAsync()).Single().GetProperty("connectionId").GetString();

        (await world.Script.PostAsync($"stream/connections/{first}/disconnect", null)).EnsureSuccessStatusCode();
        var second = await world.WaitForStreamConnectionsAsync(where: c => c.GetProperty("connectionId").GetString() != first);
        var (_, body) = await world.TapAsync(OutTrackId, "zhangsan", "approve");

        Assert.Equal("Updated", Status(body));
        Assert.Single(second);
        // The gateway lists a socket as soon as it accepts it, a moment before the client counts it.
        Assert.True(await DingTalkWorld.EventuallyAsync(() => world.ClientService<DingTalkStreamClient>().ConnectionsOpened == 2));
        Assert.Empty((await world.StreamConnectionsAsync()).SelectMany(c => c.GetProperty("violations").EnumerateArray()));
    }

    [Fact]
    public async Task ConnectionLost_ClientReconnectsAfterBackoff_AndTapsFlowAgain()
    {
        await using var world = await WorldWithCardAsync(connections: 1);
        var first = (await world.WaitForStreamConnectionsAsync()).Single().GetProperty("connectionId").GetString()!;

        world.EmulatorService<Sandbox.DingTalk.Stream.StreamGateway>().Find(first)!.Abort();
        await world.WaitForStreamConnectionsAsync(where: c => c.GetProperty("connectionId").GetString() != first);
        var (_, body) = await world.TapAsync(OutTrackId, "zhangsan", "approve");

        Assert.Equal("Updated", Status(body));
        // The gateway lists a socket as soon as it accepts it, a moment before the client counts it.
        Assert.True(await DingTalkWorld.EventuallyAsync(() => world.ClientService<DingTalkStreamClient>().ConnectionsOpened == 2));
    }

    [Fact]
    public async Task Taps_FiftyCardsAtOnce_EachAnsweredWithinTwoSeconds()
    {
        await using var world = await DingTalkWorld.StartAsync(o => o.QpsLimitPerAppAndApi = 1000);
        var notifier = world.ClientService<IApprovalNotifier>();
        var names = Enumerable.Range(0, 50).Select(i => $"burst-{i}").ToList();
        foreach (var name in names)
        {
            var proposal = SampleProposals.Pending(name: name);
            world.Inbox.Add(proposal);
            Assert.Null((await notifier.SendProposalAsync(proposal, SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None)).Error);
        }

        await world.WaitForStreamConnectionsAsync(2);
        var taps = await Task.WhenAll(names.Select(name => world.TapAsync($"shop.{name}", "zhangsan", "approve")));

        Assert.All(taps, t => Assert.Equal("Updated", Status(t.Body)));
        Assert.All(taps, t => Assert.InRange(t.Body.GetProperty("tap").GetProperty("latencyMs").GetDouble(), 0, s_answerBudgetMs));
        Assert.Equal(50, world.Inbox.Commands.Count);
    }
}
