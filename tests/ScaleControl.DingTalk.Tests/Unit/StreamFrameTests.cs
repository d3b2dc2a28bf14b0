using System.Text;
using System.Text.Json;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.DingTalk.Stream;

namespace ScaleControl.DingTalk.Tests.Unit;

public class StreamFrameTests
{
    [Fact]
    public void TryParse_ProtocolCallbackFrame_ReadsHeadersAndDataString()
    {
        const string json = """
            {"specVersion": "1.0", "type": "CALLBACK",
             "headers": {"appId": "1305d5f5", "connectionId": "c1", "contentType": "application/json",
                         "messageId": "212ca9d7_974_1898c159aa6_1783b", "time": "1690362102194",
                         "topic": "/v1.0/card/instances/callback"},
             "data": "{\"type\":\"actionCallback\"}"}
            """;

        Assert.True(StreamFrame.TryParse(Encoding.UTF8.GetBytes(json), out var frame));
        Assert.Equal(StreamFrame.CallbackType, frame.Type);
        Assert.Equal("/v1.0/card/instances/callback", frame.Topic);
        Assert.Equal("212ca9d7_974_1898c159aa6_1783b", frame.MessageId);
        Assert.Equal("""{"type":"actionCallback"}""", frame.Data);
    }

    [Fact]
    public void TryParse_NumericHeader_IsTolerated()
    {
        Assert.True(StreamFrame.TryParse("""{"type":"SYSTEM","headers":{"topic":"ping","messageId":"m","time":1},"data":"{}"}"""u8, out var frame));
        Assert.Equal("1", frame.Headers["time"]);
    }

    [Fact]
    public void TryParse_Garbage_Fails() => Assert.False(StreamFrame.TryParse("not json"u8, out _));

    [Fact]
    public void Ack_EchoesMessageIdAndCarriesDataAsString()
    {
        var ack = JsonDocument.Parse(StreamAck.Ok("m-1", """{"opaque":"123-dsfs"}""").ToUtf8Json()).RootElement;

        Assert.Equal(200, ack.GetProperty("code").GetInt32());
        Assert.Equal("OK", ack.GetProperty("message").GetString());
        Assert.Equal("m-1", ack.GetProperty("headers").GetProperty("messageId").GetString());
        Assert.Equal("application/json", ack.GetProperty("headers").GetProperty("contentType").GetString());
        Assert.Equal("""{"opaque":"123-dsfs"}""", ack.GetProperty("data").GetString());
    }

    [Fact]
    public void CallbackData_WrapsReplyAsResponse_WithCardParamMapsAndMergeOptions()
    {
        var reply = CardCallbackReply.Private(new Dictionary<string, string> { ["privateNotice"] = "no" });

        var data = JsonDocument.Parse(StreamAck.CallbackData(reply)).RootElement.GetProperty("response");

        Assert.False(data.TryGetProperty("cardData", out _));
        Assert.Equal("no", data.GetProperty("userPrivateData").GetProperty("cardParamMap").GetProperty("privateNotice").GetString());
        Assert.True(data.GetProperty("cardUpdateOptions").GetProperty("updatePrivateDataByKey").GetBoolean());
    }

    [Fact]
    public void CallbackData_NullResponse_IsExplicitNull() =>
        Assert.Equal("""{"response":null}""", StreamAck.CallbackData<object>(null));
}
