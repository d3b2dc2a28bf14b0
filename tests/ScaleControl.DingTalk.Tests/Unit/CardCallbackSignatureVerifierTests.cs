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
        new(new StaticOptionsMonitor<DingTalkOptions>(new DingTalkOptions { CallbackApiSecret = secret }), _time, _replays);

    private readonly SignatureReplayGuard _replays;

    public CardCallbackSignatureVerifierTests() => _replays = new SignatureReplayGuard(_time);

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
        Assert.Equal("the signature timestamp is not a Unix time", Verifier().Verify("abc", DingTalkSignatures.CardCallback("example-secret", "abc")));

    [Theory]
    [InlineData("99999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("999999999999999")]
    public void Verify_HugeTimestampCorrectlySigned_RejectsWithoutThrowing(string timestamp) =>
        Assert.Equal("the signature timestamp is not a Unix time", Verifier().Verify(timestamp, DingTalkSignatures.CardCallback("example-secret", timestamp)));

    [Fact]
    public void Verify_SignatureUsedTwice_RefusedEvenWithTheSameBody()
    {
        // Replayed later with the same body, an "Approve all" would approve the rows a group card gained since.
        const string signature = "I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg=";
        var verifier = Verifier();

        Assert.Null(verifier.Verify("1700000000000", signature));
        Assert.Equal("the signature was already used (a replayed request)", verifier.Verify("1700000000000", signature));
    }

    [Fact]
    public void ReplayGuard_ForgetsASignatureOnceItsWindowHasPassed()
    {
        var until = s_now.AddMinutes(5);
        Assert.True(_replays.Accept("sig", until));
        Assert.False(_replays.Accept("sig", until));

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(_replays.Accept("sig", until.AddMinutes(5)));
        Assert.False(_replays.Accept("sig", until.AddMinutes(5)));
    }
}
