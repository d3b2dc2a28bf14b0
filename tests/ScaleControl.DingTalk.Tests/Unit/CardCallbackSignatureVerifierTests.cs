using Microsoft.Extensions.Time.Testing;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.DingTalk.Tests.Support;

namespace ScaleControl.DingTalk.Tests.Unit;

public class CardCallbackSignatureVerifierTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeMilliseconds(1700000000000);
    private readonly FakeTimeProvider _time = new(s_now);

    private CardCallbackSignatureVerifier Verifier(string? secret = "example-secret") =>
        new(new StaticOptionsMonitor<DingTalkOptions>(new DingTalkOptions { CallbackApiSecret = secret }), _time);

    [Fact]
    public void Verify_ProtocolVectorAtItsTime_Accepts() =>
        Assert.Null(Verifier().Verify("1700000000000", "I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg="));

    [Fact]
    public void Verify_ForgedSignature_Rejects() =>
        Assert.Equal("the signature does not match", Verifier().Verify("1700000000000", DingTalkSignatures.CardCallback("other-secret", "1700000000000")));

    [Theory]
    [InlineData(null, "sig")]
    [InlineData("1700000000000", null)]
    [InlineData("", "")]
    public void Verify_MissingHeaders_Rejects(string? timestamp, string? signature) =>
        Assert.StartsWith("missing", Verifier().Verify(timestamp, signature));

    [Fact]
    public void Verify_StaleButCorrectlySigned_Rejects()
    {
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Contains("away from our clock", Verifier().Verify("1700000000000", "I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg="));
    }

    [Fact]
    public void Verify_TimestampInSeconds_IsReadAsSeconds()
    {
        var seconds = s_now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Null(Verifier().Verify(seconds, DingTalkSignatures.CardCallback("example-secret", seconds)));
    }

    [Fact]
    public void Verify_NoSecretConfigured_RejectsEverything() =>
        Assert.NotNull(Verifier(secret: null).Verify("1700000000000", "I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg="));

    [Fact]
    public void Verify_NonNumericTimestamp_Rejects() =>
        Assert.Equal("the signature timestamp is not a number", Verifier().Verify("abc", DingTalkSignatures.CardCallback("example-secret", "abc")));
}
