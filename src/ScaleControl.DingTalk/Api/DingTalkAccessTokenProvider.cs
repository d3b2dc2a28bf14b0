using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Api;

/// <summary>
/// The app's access token (POST /v1.0/oauth2/accessToken), cached until shortly before it expires. Concurrent callers
/// share one refresh; a token the API rejected is dropped so the next call fetches a fresh one.
/// </summary>
public sealed partial class DingTalkAccessTokenProvider(
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<DingTalkOptions> options,
    TimeProvider timeProvider,
    ILogger<DingTalkAccessTokenProvider> logger) : IDisposable
{
    /// <summary>Refresh this long before expiry (the official SDK uses 5 minutes).</summary>
    internal static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private volatile CachedToken? _current;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_current is { } fresh && fresh.RefreshAt > timeProvider.GetUtcNow())
        {
            return fresh.Value;
        }

        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have refreshed while this one waited.
            if (_current is { } refreshed && refreshed.RefreshAt > timeProvider.GetUtcNow())
            {
                return refreshed.Value;
            }

            _current = await FetchAsync(cancellationToken);
            return _current.Value;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Forgets <paramref name="rejectedToken"/> if it is still the cached one.</summary>
    public void Invalidate(string rejectedToken)
    {
        var current = _current;
        if (current is not null && current.Value == rejectedToken)
        {
            _current = null;
            LogTokenDropped(logger);
        }
    }

    public void Dispose() => _refreshLock.Dispose();

    private async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var client = httpClientFactory.CreateClient(DingTalkHttpClients.Api);
        var started = timeProvider.GetUtcNow();
        using var response = await client.PostAsJsonAsync(
            DingTalkUris.Combine(settings.ApiBaseUrl, "v1.0/oauth2/accessToken"),
            new AccessTokenRequest(settings.AppKey, settings.AppSecret ?? ""),
            DingTalkJson.Options,
            cancellationToken);
        await DingTalkResponses.ThrowIfErrorAsync(response, cancellationToken);

        var body = await response.Content.ReadFromJsonAsync<AccessTokenResponse>(DingTalkJson.Options, cancellationToken);
        if (body is not { AccessToken.Length: > 0, ExpireIn: > 0 })
        {
            throw new DingTalkApiException(response.StatusCode, "invalidResponse", "the token response carries no accessToken/expireIn", null);
        }

        var lifetime = TimeSpan.FromSeconds(body.ExpireIn);
        // Short-lived tokens (tests, emulators) are refreshed at half-life instead of 5 minutes early.
        var margin = lifetime > 2 * RefreshMargin ? RefreshMargin : lifetime / 2;
        LogTokenFetched(logger, body.ExpireIn);
        return new CachedToken(body.AccessToken, started + lifetime - margin);
    }

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Fetched a DingTalk access token valid for {ExpireIn} s")]
    private static partial void LogTokenFetched(ILogger logger, long expireIn);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "DingTalk rejected the cached access token; fetching a new one")]
    private static partial void LogTokenDropped(ILogger logger);
}
