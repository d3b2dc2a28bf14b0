using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.DingTalk.Chat;
using ScaleControl.DingTalk.Tests.Support;

namespace ScaleControl.DingTalk.Tests.Emulator;

/// <summary>
/// One person sending the robot command after command (a paste in a loop, a script): each was run and answered in the
/// group, through the robot whose messages DingTalk throttles, so the on-call group's other answers waited behind
/// them. Now a person has <c>ChatMessagesPerMinute</c> messages a minute; the first over it is answered privately, the
/// rest of that minute neither run nor answered; others are not held back. Answers go to the emulator over real HTTP.
/// </summary>
public sealed class ChatFloodTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private int _sent;

    [Fact]
    public async Task OverTheLimit_OnePrivateAnswer_TheRestNotRun_OthersUnaffected_FreedAfterAMinute()
    {
        await using var world = await DingTalkWorld.StartAsync(clientTime: _clock, clientSettings: new() { ["ScaleControl:DingTalk:ChatMessagesPerMinute"] = "3" });
        var handler = world.ClientService<ChatMessageHandler>();

        for (var i = 0; i < 6; i++)
        {
            await handler.HandleAsync(Message("zhangsan", " status"), CancellationToken.None);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, world.Commands.Requests.Count);
        var told = Assert.Single(await PrivateAnswersAsync(world, "zhangsan"));
        Assert.Equal(
            "Too many messages: ScaleControl reads at most 3 of yours a minute. This one was not read, nor will those you send before 12:01:00 UTC be (and they get no answer); nothing was done. Send it again after that.",
            told.GetProperty("text").GetString());

        await handler.HandleAsync(Message("lisi", " status"), CancellationToken.None); // someone else in the same minute
        Assert.Equal(4, world.Commands.Requests.Count);
        Assert.Equal("lisi", world.Commands.Requests[^1].Sender);

        _clock.Advance(TimeSpan.FromSeconds(54)); // 12:01:00: the first of the three is a minute old, the others not
        await handler.HandleAsync(Message("zhangsan", " status"), CancellationToken.None);
        Assert.Equal(5, world.Commands.Requests.Count);
        await handler.HandleAsync(Message("zhangsan", " status"), CancellationToken.None); // over again: told again, once
        Assert.Equal(5, world.Commands.Requests.Count);
        Assert.Equal(2, (await PrivateAnswersAsync(world, "zhangsan")).Count);
    }

    private string Message(string sender, string text) => new JsonObject
    {
        ["msgId"] = $"msgFlood{++_sent:D4}==",
        ["conversationId"] = DingTalkWorld.Group,
        ["conversationType"] = "2",
        ["senderStaffId"] = sender,
        ["senderNick"] = sender,
        ["robotCode"] = DingTalkWorld.AppKey,
        ["msgtype"] = "text",
        ["text"] = new JsonObject { ["content"] = text },
    }.ToJsonString();

    private static async Task<List<JsonElement>> PrivateAnswersAsync(DingTalkWorld world, string to) =>
        [.. (await world.Script.GetFromJsonAsync<JsonElement[]>("messages"))!
            .Where(m => m.GetProperty("kind").GetString() == "OtoMessage" && m.GetProperty("receivers").EnumerateArray().Any(r => r.GetString() == to))];
}
