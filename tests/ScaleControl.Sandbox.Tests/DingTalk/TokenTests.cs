using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

public sealed class TokenTests
{
    [Fact]
    public async Task AccessToken_RepeatedWithinValidity_ReturnsSameTokenAndExtendsExpiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await using var host = await EmulatorHost.StartAsync(time: time);
        var credentials = new { appKey = host.App.AppKey, appSecret = host.App.AppSecret };

        var first = await (await host.Http.PostAsJsonAsync("v1.0/oauth2/accessToken", credentials)).Content.ReadFromJsonAsync<JsonElement>();
        time.Advance(TimeSpan.FromSeconds(7000));
        var second = await (await host.Http.PostAsJsonAsync("v1.0/oauth2/accessToken", credentials)).Content.ReadFromJsonAsync<JsonElement>();
        time.Advance(TimeSpan.FromSeconds(7000)); // 14 000 s after the first: alive only because the second call extended it
        var (status, _) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances", new { outTrackId = "none", cardData = new { } }, second.GetProperty("accessToken").GetString());

        Assert.Equal(7200, first.GetProperty("expireIn").GetInt32());
        Assert.Equal(first.GetProperty("accessToken").GetString(), second.GetProperty("accessToken").GetString());
        Assert.Equal(7200, second.GetProperty("expireIn").GetInt32());
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task AccessToken_AfterExpiry_IsRejectedAndANewOneIssued()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await using var host = await EmulatorHost.StartAsync(time: time);
        var old = await host.TokenAsync();
        time.Advance(TimeSpan.FromSeconds(7201));

        var (status, body) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances", new { outTrackId = "x", cardData = new { } }, old);
        var renewed = await host.TokenAsync();

        Assert.Equal(400, status);
        Assert.Equal("InvalidAuthentication", body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("requestid").GetString()));
        Assert.NotEqual(old, renewed);
    }

    [Fact]
    public async Task AccessToken_WrongSecret_Answers400InvalidClientIdOrSecret()
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/oauth2/accessToken", new { appKey = host.App.AppKey, appSecret = "wrong" }, null);

        Assert.Equal(400, status);
        Assert.Equal("invalidClientIdOrSecret", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetToken_OldEnvelope_SharesTokensAndReportsErrorsWithHttp200()
    {
        await using var host = await EmulatorHost.StartAsync();

        var ok = await host.Http.GetFromJsonAsync<JsonElement>($"gettoken?appkey={host.App.AppKey}&appsecret={host.App.AppSecret}");
        var wrong = await host.Http.GetAsync($"gettoken?appkey={host.App.AppKey}&appsecret=nope");
        var missing = await host.Http.GetFromJsonAsync<JsonElement>("gettoken?appkey=x");

        Assert.Equal(0, ok.GetProperty("errcode").GetInt32());
        Assert.Equal(7200, ok.GetProperty("expires_in").GetInt32());
        Assert.Equal(await host.TokenAsync(), ok.GetProperty("access_token").GetString());
        Assert.Equal(200, (int)wrong.StatusCode);
        Assert.Equal(40096, (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errcode").GetInt32());
        Assert.Equal(40035, missing.GetProperty("errcode").GetInt32());
    }

    [Theory]
    [InlineData(null, "AuthenticationFailed.MissingParameter")]
    [InlineData("not-a-token", "InvalidAuthentication")]
    public async Task ApiCall_WithoutValidTokenHeader_Answers400WithCode(string? token, string code)
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("t1"), token);

        Assert.Equal(400, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ApiCall_BearerOrQueryToken_IsNotAccepted()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1.0/card/instances/createAndDeliver?access_token={token}")
        {
            Content = JsonContent.Create(host.CreateAndDeliverBody("t2")),
        };
        request.Headers.Authorization = new("Bearer", token);

        var response = await host.Http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("AuthenticationFailed.MissingParameter", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task OldTopApi_BadAccessToken_AnswersErrcode88SubCode40014()
    {
        await using var host = await EmulatorHost.StartAsync();

        var response = await host.Http.PostAsJsonAsync(
            "topapi/im/chat/scencegroup/interactivecard/callback/register?access_token=bad", new { callback_url = "http://127.0.0.1:1/x" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(88, body.GetProperty("errcode").GetInt32());
        Assert.Equal("40014", body.GetProperty("sub_code").GetString());
    }
}
