using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Tests.Unit;

public sealed class DingTalkCallLogTests
{
    private sealed class Lines : ILogger<DingTalkCallLog>
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> All { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            All.Enqueue((logLevel, formatter(state, exception)));
    }

    private sealed class Answer(HttpStatusCode? status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            status is { } code ? Task.FromResult(new HttpResponseMessage(code)) : throw new HttpRequestException("connection refused");
    }

    [Fact]
    public async Task EachCall_OneInfoLine_MethodPathStatusDuration_NoTokenOrQuery()
    {
        var lines = new Lines();
        using var client = new HttpClient(new DingTalkCallLog(lines) { InnerHandler = new Answer(HttpStatusCode.OK) });
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://oapi.dingtalk.com/topapi/message/corpconversation/asyncsend_v2?access_token=sec-ret-token");
        request.Headers.Add("x-acs-dingtalk-access-token", "sec-ret-token");

        using var response = await client.SendAsync(request);

        var (level, text) = Assert.Single(lines.All);
        Assert.Equal(LogLevel.Information, level);
        Assert.Matches(@"^DingTalk POST /topapi/message/corpconversation/asyncsend_v2 -> 200 in \d+ ms$", text);
        Assert.DoesNotContain("sec-ret-token", text);
    }

    [Fact]
    public async Task NoAnswer_OneLineSaysSo_AndTheErrorGoesOn()
    {
        var lines = new Lines();
        using var client = new HttpClient(new DingTalkCallLog(lines) { InnerHandler = new Answer(null) });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("https://api.dingtalk.com/v1.0/oauth2/accessToken")));

        Assert.Matches(@"^DingTalk GET /v1.0/oauth2/accessToken -> no answer \(HttpRequestException\) after \d+ ms$", Assert.Single(lines.All).Text);
    }
}
