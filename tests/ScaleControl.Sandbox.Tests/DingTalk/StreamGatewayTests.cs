using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

public sealed class StreamGatewayTests
{
    private static DingTalkSandboxOptions QuietOptions()
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        options.StreamPingInterval = TimeSpan.Zero;
        return options;
    }

    [Fact]
    public async Task Open_WrongSecret_Answers400()
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/gateway/connections/open",
            new { clientId = host.App.AppKey, clientSecret = "nope", subscriptions = new[] { new { type = "EVENT", topic = "*" } } }, null);

        Assert.Equal(400, status);
        Assert.Equal("invalidClientIdOrSecret", body.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("EVENT", "/some/topic")]
    [InlineData("CALLBACK", "/v1.0/unknown")]
    [InlineData("PUSH", "*")]
    public async Task Open_UnsupportedSubscription_Answers400(string type, string topic)
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, _) = await host.CallAsync(HttpMethod.Post, "v1.0/gateway/connections/open",
            new { clientId = host.App.AppKey, clientSecret = host.App.AppSecret, subscriptions = new[] { new { type, topic } } }, null);

        Assert.Equal(400, status);
    }

    [Fact]
    public async Task Connect_TicketUsedTwice_SecondHandshakeRefused()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        var (endpoint, ticket) = await RawStreamClient.OpenAsync(host);
        var uri = new Uri($"{endpoint}?ticket={ticket}");
        await using var first = new RawStreamClient();
        await first.ConnectAsync(uri);
        await using var second = new RawStreamClient();

        await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(uri));
        Assert.Equal(WebSocketState.Open, first.State);
    }

    [Fact]
    public async Task Connect_TicketOlderThan90Seconds_Refused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await using var host = await EmulatorHost.StartAsync(QuietOptions(), time);
        var (endpoint, ticket) = await RawStreamClient.OpenAsync(host);
        time.Advance(TimeSpan.FromSeconds(91));
        await using var client = new RawStreamClient();

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(new Uri($"{endpoint}?ticket={ticket}")));
    }

    [Fact]
    public async Task Tap_StreamCard_SendsCallbackFrameWithStringHeadersAndAppliesWrappedResponse()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var client = await RawStreamClient.ConnectAsync(host);
        await host.CreateCardAsync("stream-1");

        var tap = host.TapAsync("stream-1", "zhangsan", "approve");
        var frame = await client.NextFrameAsync("CALLBACK");
        await client.AckAsync(frame, new
        {
            response = new
            {
                cardData = new { cardParamMap = new { status = "approved", decidedBy = "张三" } },
                userPrivateData = new { cardParamMap = new { privateMessage = "you approved" } },
                cardUpdateOptions = new { updateCardDataByKey = true, updatePrivateDataByKey = true },
            },
        });
        var (status, result) = await tap;

        Assert.Equal(200, status);
        Assert.Equal(["data", "headers", "specVersion", "type"], frame.EnumerateObject().Select(p => p.Name).Order());
        Assert.All(frame.GetProperty("headers").EnumerateObject(), h => Assert.Equal(JsonValueKind.String, h.Value.ValueKind));
        Assert.Equal("/v1.0/card/instances/callback", frame.GetProperty("headers").GetProperty("topic").GetString());
        Assert.Equal(JsonValueKind.String, frame.GetProperty("data").ValueKind);
        var payload = JsonDocument.Parse(frame.GetProperty("data").GetString()!).RootElement;
        Assert.Equal("actionCallback", payload.GetProperty("type").GetString());
        Assert.Equal("stream-1", payload.GetProperty("outTrackId").GetString());
        Assert.Equal("zhangsan", payload.GetProperty("userId").GetString());
        Assert.Equal(host.App.CorpId, payload.GetProperty("corpId").GetString());
        var content = JsonDocument.Parse(payload.GetProperty("content").GetString()!).RootElement.GetProperty("cardPrivateData");
        Assert.Equal("approve", content.GetProperty("actionIds")[0].GetString());
        Assert.Equal("approve", content.GetProperty("params").GetProperty("action").GetString());
        Assert.Equal("Updated", result.GetProperty("tap").GetProperty("status").GetString());
        var card = result.GetProperty("card");
        Assert.Equal("approved", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal("20", card.GetProperty("cardData").GetProperty("replicasFrom").GetString());
        Assert.Equal("you approved", card.GetProperty("userPrivateData").GetProperty("privateMessage").GetString());
        Assert.Empty(card.GetProperty("buttons").EnumerateArray());
    }

    [Fact]
    public async Task Tap_HandedBackByOneConnection_RedeliveredToTheOther_SameMessageId()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var first = await RawStreamClient.ConnectAsync(host);
        await using var second = await RawStreamClient.ConnectAsync(host);
        await host.CreateCardAsync("shared-1");

        var tap = host.TapAsync("shared-1", "zhangsan", "approve");
        var firstFrame = first.NextFrameAsync("CALLBACK");
        var secondFrame = second.NextFrameAsync("CALLBACK");
        var pushedTo = await Task.WhenAny(firstFrame, secondFrame);
        var (owner, other, otherFrame) = pushedTo == firstFrame ? (second, first, secondFrame) : (first, second, firstFrame);
        var handedBack = await pushedTo;
        await other.AckAsync(handedBack, new { status = "LATER" }, code: 500);
        var redelivered = await otherFrame;
        await owner.AckAsync(redelivered, new { response = new { cardData = new { cardParamMap = new { status = "approved" } } } });
        var (_, result) = await tap;

        Assert.Equal(MessageId(handedBack), MessageId(redelivered));
        Assert.Equal("Updated", result.GetProperty("tap").GetProperty("status").GetString());
        Assert.Contains("1 connection(s) handed it back", result.GetProperty("tap").GetProperty("detail").GetString());
        Assert.Equal("approved", result.GetProperty("card").GetProperty("cardData").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tap_HandedBackByEveryConnection_CallbackFailed_CardUnchanged()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var only = await RawStreamClient.ConnectAsync(host);
        await host.CreateCardAsync("nobodys-1");

        var tap = host.TapAsync("nobodys-1", "zhangsan", "approve");
        await only.AckAsync(await only.NextFrameAsync("CALLBACK"), new { status = "LATER" }, code: 500);
        var (_, result) = await tap;

        Assert.Equal("CallbackFailed", result.GetProperty("tap").GetProperty("status").GetString());
        Assert.Contains("no connection handled it", result.GetProperty("tap").GetProperty("detail").GetString());
        Assert.Equal("pending", result.GetProperty("card").GetProperty("cardData").GetProperty("status").GetString());
    }

    private static string? MessageId(JsonElement frame) => frame.GetProperty("headers").GetProperty("messageId").GetString();

    [Fact]
    public async Task Tap_NoAckWithinTwoSeconds_TimesOutAndLeavesCardUnchanged()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await using var host = await EmulatorHost.StartAsync(QuietOptions(), time);
        await using var client = await RawStreamClient.ConnectAsync(host);
        await host.CreateCardAsync("slow-1");

        var tap = host.TapAsync("slow-1", "zhangsan", "approve");
        var frame = await client.NextFrameAsync("CALLBACK");
        time.Advance(TimeSpan.FromSeconds(2));
        var (_, result) = await tap;
        await client.AckAsync(frame, new { response = new { cardData = new { cardParamMap = new { status = "approved" } } } });
        var card = await host.Http.GetFromJsonAsync<JsonElement>("cards/slow-1");

        Assert.Equal("Timeout", result.GetProperty("tap").GetProperty("status").GetString());
        Assert.Equal("pending", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal(1, card.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Tap_AckWithoutResponseWrapperOrWithObjectData_IsNotApplied()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var client = await RawStreamClient.ConnectAsync(host);
        await host.CreateCardAsync("bad-ack");

        var unwrapped = host.TapAsync("bad-ack", "zhangsan", "approve");
        await client.AckAsync(await client.NextFrameAsync("CALLBACK"), new { cardData = new { cardParamMap = new { status = "approved" } } });
        var objectData = host.TapAsync("bad-ack", "zhangsan", "approve");
        var frame = await client.NextFrameAsync("CALLBACK");
        await client.SendRawAsync(new System.Text.Json.Nodes.JsonObject
        {
            ["code"] = 200,
            ["headers"] = new System.Text.Json.Nodes.JsonObject { ["messageId"] = frame.GetProperty("headers").GetProperty("messageId").GetString() },
            ["message"] = "OK",
            ["data"] = System.Text.Json.Nodes.JsonNode.Parse("""{"response":{"cardData":{"cardParamMap":{"status":"approved"}}}}"""),
        });

        Assert.Equal("InvalidResponse", (await unwrapped).Body.GetProperty("tap").GetProperty("status").GetString());
        Assert.Equal("InvalidResponse", (await objectData).Body.GetProperty("tap").GetProperty("status").GetString());
        var connection = (await host.Http.GetFromJsonAsync<JsonElement>("stream/connections"))[0];
        Assert.Contains(connection.GetProperty("violations").EnumerateArray(), v => v.GetString()!.Contains("must be a JSON string", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tap_NoStreamConnection_ReportsNoConnection()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await host.CreateCardAsync("lonely");

        var (_, result) = await host.TapAsync("lonely", "lisi", "reject");

        Assert.Equal("NoConnection", result.GetProperty("tap").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ping_ClientEchoesData_IsCountedAsEchoed()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var client = await RawStreamClient.ConnectAsync(host);
        var id = (await host.Http.GetFromJsonAsync<JsonElement>("stream/connections"))[0].GetProperty("connectionId").GetString();

        var response = await host.Http.PostAsync($"stream/connections/{id}/ping", null);

        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("echoed").GetBoolean());
    }

    [Fact]
    public async Task Ping_ClientEchoesWrongData_IsNotEchoed()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var client = await RawStreamClient.ConnectAsync(host, answerPings: false);
        var id = (await host.Http.GetFromJsonAsync<JsonElement>("stream/connections"))[0].GetProperty("connectionId").GetString();

        var ping = host.Http.PostAsync($"stream/connections/{id}/ping", null);
        var frame = await client.NextFrameAsync("SYSTEM");
        await client.AckAsync(frame, new { opaque = "something else" });

        Assert.Equal("ping", frame.GetProperty("headers").GetProperty("topic").GetString());
        Assert.False((await (await ping).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("echoed").GetBoolean());
    }

    [Fact]
    public async Task Disconnect_SendsSystemFrameAndClosesSocketAfterTenSeconds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await using var host = await EmulatorHost.StartAsync(QuietOptions(), time);
        await using var client = await RawStreamClient.ConnectAsync(host);
        var id = (await host.Http.GetFromJsonAsync<JsonElement>("stream/connections"))[0].GetProperty("connectionId").GetString();

        await host.Http.PostAsync($"stream/connections/{id}/disconnect", null);
        var frame = await client.NextFrameAsync("SYSTEM");
        time.Advance(TimeSpan.FromSeconds(9));
        var stillOpen = await Task.WhenAny(client.Closed.Task, Task.Delay(300)) != client.Closed.Task;
        time.Advance(TimeSpan.FromSeconds(1));
        await client.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("disconnect", frame.GetProperty("headers").GetProperty("topic").GetString());
        Assert.Contains("reason", frame.GetProperty("data").GetString());
        Assert.True(stillOpen);
    }

    [Fact]
    public async Task Tap_DisconnectingConnection_CallbackGoesToTheOtherConnection()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var old = await RawStreamClient.ConnectAsync(host);
        var oldId = (await host.Http.GetFromJsonAsync<JsonElement>("stream/connections"))[0].GetProperty("connectionId").GetString();
        await using var fresh = await RawStreamClient.ConnectAsync(host);
        await host.Http.PostAsync($"stream/connections/{oldId}/disconnect", null);
        await host.CreateCardAsync("handover");

        var tap = host.TapAsync("handover", "zhangsan", "approve");
        var frame = await fresh.NextFrameAsync("CALLBACK");
        await fresh.AckAsync(frame, new { response = new { cardData = new { cardParamMap = new { status = "approved" } } } });

        Assert.Equal("Updated", (await tap).Body.GetProperty("tap").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tap_SeveralConnections_SpreadsCallbacksRandomly()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var a = await RawStreamClient.ConnectAsync(host);
        await using var b = await RawStreamClient.ConnectAsync(host);
        await host.CreateCardAsync("spread");
        var received = new Dictionary<RawStreamClient, int> { [a] = 0, [b] = 0 };

        for (var i = 0; i < 20; i++)
        {
            var tap = host.TapAsync("spread", "lisi", "approve");
            var (client, frame) = await NextOfEither(a, b);
            received[client]++;
            await client.AckAsync(frame, new { response = (object?)null });
            Assert.Equal("NoChange", (await tap).Body.GetProperty("tap").GetProperty("status").GetString());
        }

        Assert.True(received[a] > 0 && received[b] > 0, $"a={received[a]} b={received[b]}");

        // Polls both without leaving a pending read behind that would swallow a later frame.
        static async Task<(RawStreamClient, JsonElement)> NextOfEither(RawStreamClient a, RawStreamClient b)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                foreach (var client in new[] { a, b })
                {
                    if (client.TryTakeFrame(out var frame))
                    {
                        return (client, frame);
                    }
                }

                await Task.Delay(10);
            }

            throw new TimeoutException("no callback frame on either connection");
        }
    }

    [Fact]
    public async Task Event_NotAcked_IsPushedAgainWithSameMessageIdAfterRedeliveryInterval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await using var host = await EmulatorHost.StartAsync(QuietOptions(), time);
        await using var client = await RawStreamClient.ConnectAsync(host);

        await host.Http.PostAsJsonAsync("stream/events", new { eventType = "chat_update_title", data = new { title = "x" } });
        var first = await client.NextFrameAsync("EVENT");
        time.Advance(TimeSpan.FromSeconds(60));
        var second = await client.NextFrameAsync("EVENT");
        await client.AckAsync(second, new { status = "SUCCESS", message = "ok" });
        var events = await host.Http.GetFromJsonAsync<JsonElement>("stream/events");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (events[0].GetProperty("ackedBy").ValueKind != JsonValueKind.String && waited.Elapsed < Patience.Of(5))
        {
            await Task.Delay(20); // the ACK travels over the socket to the emulator
            events = await host.Http.GetFromJsonAsync<JsonElement>("stream/events");
        }

        Assert.Equal(first.GetProperty("headers").GetProperty("messageId").GetString(), second.GetProperty("headers").GetProperty("messageId").GetString());
        Assert.Equal("chat_update_title", first.GetProperty("headers").GetProperty("eventType").GetString());
        Assert.Equal(host.App.CorpId, first.GetProperty("headers").GetProperty("eventCorpId").GetString());
        Assert.Equal(host.App.UnifiedAppId, first.GetProperty("headers").GetProperty("eventUnifiedAppId").GetString());
        Assert.Equal(host.App.UnifiedAppId, first.GetProperty("headers").GetProperty("appId").GetString());
        Assert.True(Guid.TryParse(host.App.UnifiedAppId, out _));
        Assert.Equal(2, events[0].GetProperty("pushes").GetInt32());
        Assert.Equal(JsonValueKind.String, events[0].GetProperty("ackedBy").ValueKind);
    }

    [Fact]
    public async Task WebSocketPing_FromClient_IsAnsweredWithPong()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        var (endpoint, ticket) = await RawStreamClient.OpenAsync(host);
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
        socket.Options.KeepAliveTimeout = Patience.Of(0.4); // no pong in time aborts the socket (scaled: a starved emulator answers late)
        await socket.ConnectAsync(new Uri($"{endpoint}?ticket={ticket}"), CancellationToken.None);
        var buffer = new byte[4096];
        var receive = socket.ReceiveAsync(buffer, CancellationToken.None); // keeps reading pongs while idle

        // Long enough that a ping left unanswered would have aborted the socket: every client ping (one each 100 ms) is answered.
        await Task.Delay(socket.Options.KeepAliveTimeout + TimeSpan.FromSeconds(1));
        var id = (await host.Http.GetFromJsonAsync<JsonElement>("stream/connections"))[0].GetProperty("connectionId").GetString();
        _ = host.Http.PostAsync($"stream/connections/{id}/ping", null);
        var frame = await receive.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(WebSocketMessageType.Text, frame.MessageType);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Tap_FiftyConcurrentTaps_AllAppliedOnceEach()
    {
        await using var host = await EmulatorHost.StartAsync(QuietOptions());
        await using var client = await RawStreamClient.ConnectAsync(host);
        await host.CreateCardAsync("busy");
        var acker = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                var frame = await client.NextFrameAsync("CALLBACK");
                await client.AckAsync(frame, new { response = new { cardData = new { cardParamMap = new { lastTap = $"{i}" } }, cardUpdateOptions = new { updateCardDataByKey = true } } });
            }
        });

        var taps = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => host.TapAsync("busy", "zhangsan", "approve")));
        await acker;
        var card = await host.Http.GetFromJsonAsync<JsonElement>("cards/busy");

        Assert.All(taps, t => Assert.Equal("Updated", t.Body.GetProperty("tap").GetProperty("status").GetString()));
        Assert.Equal(51, card.GetProperty("version").GetInt32());
        Assert.Equal(50, card.GetProperty("tapCount").GetInt32());
        Assert.Equal("pending", card.GetProperty("cardData").GetProperty("status").GetString());
    }
}
