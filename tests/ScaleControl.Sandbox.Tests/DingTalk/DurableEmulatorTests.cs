using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>
/// With a state directory (as in sandbox mode) the emulator keeps its cards and messages on disk, written before each
/// answer: a restart finds the card a proposal points at — data, buttons, versions, taps — and the chat history.
/// </summary>
public sealed class DurableEmulatorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("scalecontrol-dingtalk-state-").FullName;

    [Fact]
    public async Task Restart_OnTheSameStateDirectory_KeepsCardsTapsAndMessages()
    {
        JsonElement before;
        string messageId;
        await using (var first = await EmulatorHost.StartAsync(Options()))
        {
            await first.CreateCardAsync("durable-1");
            await first.TapAsync("durable-1", "zhangsan", "approve"); // no Stream connection: recorded as NoConnection
            var (_, sent) = await first.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/send", new
            {
                msgKey = "sampleText",
                msgParam = JsonSerializer.Serialize(new { content = "ScaleControl: checkout-api 20 → 60 waits for approval" }),
                openConversationId = first.Group.OpenConversationId,
                robotCode = first.App.RobotCode,
            }, await first.TokenAsync());
            messageId = sent.GetProperty("processQueryKey").GetString()!;
            await first.CallAsync(HttpMethod.Post, "messages/read", new { id = messageId, userId = "lisi" }, null);
            before = await first.Http.GetFromJsonAsync<JsonElement>("cards/durable-1");
        }

        await using var second = await EmulatorHost.StartAsync(Options());
        var after = await second.Http.GetFromJsonAsync<JsonElement>("cards/durable-1");
        var messages = await second.Http.GetFromJsonAsync<JsonElement>("messages?kind=GroupMessage");
        var token = await second.TokenAsync();
        var duplicate = await second.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", second.CreateAndDeliverBody("durable-1"), token);
        var update = await second.CallAsync(HttpMethod.Put, "v1.0/card/instances", new JsonObject
        {
            ["outTrackId"] = "durable-1",
            ["cardData"] = EmulatorHost.ApprovalCardData(status: "approved"),
        }, token);
        var updated = await second.Http.GetFromJsonAsync<JsonElement>("cards/durable-1");

        Assert.Equal(before.GetRawText(), after.GetRawText());
        Assert.Equal(["approve", "reject"], after.GetProperty("buttons").EnumerateArray().Select(b => b.GetProperty("actionId").GetString()).Take(2));
        Assert.Equal("NoConnection", Assert.Single(after.GetProperty("taps").EnumerateArray()).GetProperty("status").GetString());
        var message = Assert.Single(messages.EnumerateArray());
        Assert.Equal(messageId, message.GetProperty("id").GetString());
        Assert.Equal(["lisi"], message.GetProperty("readBy").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal((400, "param.cardAlreadyExist"), (duplicate.Status, duplicate.Body.GetProperty("code").GetString()));
        Assert.Equal(200, update.Status);
        Assert.Equal((2, "approved"), (updated.GetProperty("version").GetInt32(), updated.GetProperty("cardData").GetProperty("status").GetString()));
    }

    [Fact]
    public async Task ResetState_StartsWithNoCardsOrMessages()
    {
        await using (var first = await EmulatorHost.StartAsync(Options()))
        {
            await first.CreateCardAsync("durable-2");
        }

        var reset = Options();
        reset.ResetState = true;
        await using var second = await EmulatorHost.StartAsync(reset);

        Assert.Empty((await second.Http.GetFromJsonAsync<JsonElement>("cards")).EnumerateArray());
        Assert.Empty((await second.Http.GetFromJsonAsync<JsonElement>("messages")).EnumerateArray());
    }

    [Fact]
    public async Task Restart_OnADamagedStateFile_RefusesToStartAndLeavesTheFileAsItWas()
    {
        await using (var first = await EmulatorHost.StartAsync(Options()))
        {
            await first.CreateCardAsync("durable-3");
        }

        var path = Path.Combine(_directory, "dingtalk.db");
        File.WriteAllBytes(path, [.. Enumerable.Repeat((byte)'x', 8192)]);

        var error = await Assert.ThrowsAsync<SandboxStateException>(() => EmulatorHost.StartAsync(Options()));

        Assert.Contains($"{path} cannot be read: SQLite Error 26: 'file is not a database'. Nothing was changed", error.Message, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Repeat((byte)'x', 8192), File.ReadAllBytes(path));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private DingTalkSandboxOptions Options()
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        options.StateDirectory = _directory;
        return options;
    }
}
