using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

public sealed class WebhookTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.Parse("2026-11-25T10:00:00Z", CultureInfo.InvariantCulture);

    [Fact]
    public void Sign_DocumentVector_Matches()
    {
        Assert.Equal("TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D", Sign("SEC0123456789abcdef", 1700000000000));
    }

    [Fact]
    public async Task Send_SignedWithKeyword_IsAcceptedAndRecorded()
    {
        await using var host = await EmulatorHost.StartAsync(time: new FakeTimeProvider(s_now));

        var result = await SendAsync(host, Text("ScaleControl: checkout-api scaled 20 → 60"), s_now.ToUnixTimeMilliseconds());
        var message = (await host.Http.GetFromJsonAsync<JsonElement>("messages?kind=Webhook"))[0];

        Assert.Equal(0, result.GetProperty("errcode").GetInt32());
        Assert.Equal("ok", result.GetProperty("errmsg").GetString());
        Assert.Equal("text", message.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(-3_600_001, "invalid timestamp")]
    [InlineData(3_600_001, "invalid timestamp")]
    public async Task Send_TimestampOutsideOneHour_Answers310000(long offsetMs, string errmsg)
    {
        await using var host = await EmulatorHost.StartAsync(time: new FakeTimeProvider(s_now));

        var result = await SendAsync(host, Text("ScaleControl x"), s_now.ToUnixTimeMilliseconds() + offsetMs);

        Assert.Equal(310000, result.GetProperty("errcode").GetInt32());
        Assert.Equal(errmsg, result.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Send_WrongSecret_Answers310000SignNotMatch()
    {
        await using var host = await EmulatorHost.StartAsync(time: new FakeTimeProvider(s_now));

        var result = await SendAsync(host, Text("ScaleControl x"), s_now.ToUnixTimeMilliseconds(), secret: "SECwrong");

        Assert.Equal(310000, result.GetProperty("errcode").GetInt32());
        Assert.Equal("sign not match", result.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Send_WithoutKeyword_Answers310000()
    {
        await using var host = await EmulatorHost.StartAsync(time: new FakeTimeProvider(s_now));

        var result = await SendAsync(host, Text("hello world"), s_now.ToUnixTimeMilliseconds());

        Assert.Equal(310000, result.GetProperty("errcode").GetInt32());
        Assert.Equal("keywords not in content", result.GetProperty("errmsg").GetString());
    }

    [Fact]
    public async Task Send_UnknownToken_Answers300005WithHttp200()
    {
        await using var host = await EmulatorHost.StartAsync();

        var response = await host.Http.PostAsJsonAsync("robot/send?access_token=nope", Text("ScaleControl"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(300005, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errcode").GetInt32());
    }

    [Fact]
    public async Task Send_GetOrWrongContentType_AnswersOldErrcodes()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = host.Options.WebhookRobots[0].AccessToken;

        var get = await host.Http.GetFromJsonAsync<JsonElement>($"robot/send?access_token={token}");
        var form = await host.Http.PostAsync($"robot/send?access_token={token}", new StringContent("x=1", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(43002, get.GetProperty("errcode").GetInt32());
        Assert.Equal(43004, (await form.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errcode").GetInt32());
    }

    [Fact]
    public async Task Send_MarkdownWithoutTitle_IsRejected()
    {
        await using var host = await EmulatorHost.StartAsync(time: new FakeTimeProvider(s_now));

        var result = await SendAsync(host, new { msgtype = "markdown", markdown = new { text = "ScaleControl" } }, s_now.ToUnixTimeMilliseconds());

        Assert.NotEqual(0, result.GetProperty("errcode").GetInt32());
    }

    [Fact]
    public async Task Send_21stMessageInAMinute_Answers130101AndBlocksForTenMinutes()
    {
        var time = new FakeTimeProvider(s_now);
        await using var host = await EmulatorHost.StartAsync(time: time);
        var codes = new List<int>();
        for (var i = 0; i < 21; i++)
        {
            codes.Add((await SendAsync(host, Text($"ScaleControl {i}"), time.GetUtcNow().ToUnixTimeMilliseconds())).GetProperty("errcode").GetInt32());
        }

        time.Advance(TimeSpan.FromMinutes(5));
        var stillBlocked = (await SendAsync(host, Text("ScaleControl later"), time.GetUtcNow().ToUnixTimeMilliseconds())).GetProperty("errcode").GetInt32();
        time.Advance(TimeSpan.FromMinutes(5));
        var released = (await SendAsync(host, Text("ScaleControl again"), time.GetUtcNow().ToUnixTimeMilliseconds())).GetProperty("errcode").GetInt32();

        Assert.All(codes.Take(20), c => Assert.Equal(0, c));
        Assert.Equal(130101, codes[20]);
        Assert.Equal(130101, stillBlocked);
        Assert.Equal(0, released);
    }

    private static object Text(string content) => new { msgtype = "text", text = new { content } };

    private static async Task<JsonElement> SendAsync(EmulatorHost host, object body, long timestamp, string? secret = null)
    {
        var robot = host.Options.WebhookRobots[0];
        var sign = Sign(secret ?? robot.Secret!, timestamp);
        var response = await host.Http.PostAsJsonAsync($"robot/send?access_token={robot.AccessToken}&timestamp={timestamp}&sign={sign}", body);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>An independent implementation of the document's signing rule (URL-encoded Base64 HMAC-SHA256).</summary>
    private static string Sign(string secret, long timestamp) =>
        Uri.EscapeDataString(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}"))));

    [Theory]
    [InlineData("127.0.0.0/8", 0)]
    [InlineData("10.1.2.3", 310000)]
    public async Task Send_IpAllowList_OnlyListedAddressesPass(string allowed, int errcode)
    {
        var options = ScaleControl.Sandbox.DingTalk.DingTalkSandboxOptions.CreateDefault();
        options.WebhookRobots[0] = options.WebhookRobots[0] with { IpAllowList = [allowed] };
        await using var host = await EmulatorHost.StartAsync(options, new FakeTimeProvider(s_now));

        var result = await SendAsync(host, Text("ScaleControl ip"), s_now.ToUnixTimeMilliseconds());

        Assert.Equal(errcode, result.GetProperty("errcode").GetInt32());
    }
}
