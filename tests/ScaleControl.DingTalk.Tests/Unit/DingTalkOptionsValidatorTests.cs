using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Tests.Unit;

public class DingTalkOptionsValidatorTests
{
    private static IOptions<DingTalkOptions> Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddScaleControlDingTalk(configuration).BuildServiceProvider()
            .GetRequiredService<IOptions<DingTalkOptions>>();
    }

    [Fact]
    public void Validate_Empty_ListsEveryMissingSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve([]).Value);

        Assert.Contains("AppKey is required.", error.Failures);
        Assert.Contains("AppSecret (or AppSecretFile) is required.", error.Failures);
        Assert.Contains("CardTemplateId is required.", error.Failures);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("601")]
    public void Validate_ChatMessagesPerMinuteOutsideItsRange_Refuses(string perMinute)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["ScaleControl:DingTalk:AppKey"] = "k",
            ["ScaleControl:DingTalk:AppSecret"] = "s",
            ["ScaleControl:DingTalk:CardTemplateId"] = "t.schema",
            ["ScaleControl:DingTalk:ChatMessagesPerMinute"] = perMinute,
        }).Value);

        Assert.Contains("ChatMessagesPerMinute must be between 1 and 600.", error.Failures);
    }

    [Fact]
    public void Validate_HttpModeWithoutSecret_Refuses()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["ScaleControl:DingTalk:AppKey"] = "k",
            ["ScaleControl:DingTalk:AppSecret"] = "s",
            ["ScaleControl:DingTalk:CardTemplateId"] = "t.schema",
            ["ScaleControl:DingTalk:CallbackMode"] = "Http",
        }).Value);

        Assert.Contains("CallbackRouteKey is required when CallbackMode is Http.", error.Failures);
        Assert.Contains("CallbackApiSecret (or CallbackApiSecretFile) is required when CallbackMode is Http.", error.Failures);
    }

    [Fact]
    public void Resolve_SecretsFromFiles_AreReadAndNeverEchoedInErrors()
    {
        var appSecret = Path.GetTempFileName();
        var webhookSecret = Path.GetTempFileName();
        File.WriteAllText(appSecret, "app-secret-value\n");
        File.WriteAllText(webhookSecret, "SECwebhook\n");
        try
        {
            var options = Resolve(new()
            {
                ["ScaleControl:DingTalk:AppKey"] = "k",
                ["ScaleControl:DingTalk:AppSecretFile"] = appSecret,
                ["ScaleControl:DingTalk:CardTemplateId"] = "t.schema",
                ["ScaleControl:DingTalk:Webhooks:ops:AccessToken"] = "tok",
                ["ScaleControl:DingTalk:Webhooks:ops:SecretFile"] = webhookSecret,
            }).Value;

            Assert.Equal("app-secret-value", options.AppSecret);
            Assert.Equal("SECwebhook", options.Webhooks["ops"].Secret);
            Assert.Equal("k", options.EffectiveRobotCode);
        }
        finally
        {
            File.Delete(appSecret);
            File.Delete(webhookSecret);
        }
    }

    [Fact]
    public void Validate_BadValues_NamedSpecifically()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["ScaleControl:DingTalk:AppKey"] = "k",
            ["ScaleControl:DingTalk:AppSecret"] = "very-secret",
            ["ScaleControl:DingTalk:CardTemplateId"] = "t.schema",
            ["ScaleControl:DingTalk:TimeZone"] = "Mars/Olympus",
            ["ScaleControl:DingTalk:AppSecretFile"] = "/nonexistent",
            ["ScaleControl:DingTalk:Webhooks:ops:Keywords:0"] = "scale",
        }).Value);

        Assert.Contains("TimeZone 'Mars/Olympus' is not a known time zone; use an IANA id such as Asia/Shanghai.", error.Failures);
        Assert.Contains("Webhooks:ops needs Url or AccessToken.", error.Failures);
        Assert.DoesNotContain(error.Failures, f => f.Contains("very-secret", StringComparison.Ordinal));
    }
}
