using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Tests.Unit;

public class DingTalkSignaturesTests
{
    [Fact]
    public void CardCallback_ProtocolVector_Matches() =>
        Assert.Equal("I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg=", DingTalkSignatures.CardCallback("example-secret", "1700000000000"));

    [Fact]
    public void Webhook_ProtocolVector_MatchesBeforeAndAfterUrlEncoding()
    {
        var sign = DingTalkSignatures.Webhook("SEC0123456789abcdef", 1700000000000);

        Assert.Equal("TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=", sign);
        Assert.Equal("TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D", Uri.EscapeDataString(sign));
    }

    [Fact]
    public void CardCallback_DifferentTimestamp_DiffersFromVector() =>
        Assert.NotEqual("I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg=", DingTalkSignatures.CardCallback("example-secret", "1700000000001"));
}
