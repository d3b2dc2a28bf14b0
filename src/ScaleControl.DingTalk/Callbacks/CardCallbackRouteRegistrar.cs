using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.DingTalk.Stream;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// HTTP mode with a CallbackPublicUrl: registers the callback route at start (§2.5), retrying until DingTalk accepts.
/// The first call never overwrites; only when DingTalk holds a different URL or secret is it repeated with forceUpdate.
/// </summary>
public sealed partial class CardCallbackRouteRegistrar(
    DingTalkApiClient api,
    IOptionsMonitor<DingTalkOptions> options,
    TimeProvider timeProvider,
    ILogger<CardCallbackRouteRegistrar> logger) : BackgroundService
{
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the route is registered (tests and readiness checks).</summary>
    public Task Registered => _registered.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.CurrentValue;
        if (settings.CallbackMode != DingTalkCallbackMode.Http || settings.CallbackPublicUrl is null)
        {
            return;
        }

        var backoff = new ReconnectBackoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RegisterAsync(settings, stoppingToken);
                _registered.TrySetResult();
                return;
            }
            catch (Exception e) when (DingTalkFailures.IsCallFailure(e))
            {
                var delay = backoff.NextDelay();
                LogRegistrationFailed(logger, e, settings.CallbackRouteKey!, delay.TotalSeconds);
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
        }
    }

    private async Task RegisterAsync(DingTalkOptions settings, CancellationToken cancellationToken)
    {
        var url = settings.CallbackPublicUrl!.AbsoluteUri;
        var request = new RegisterCardCallbackRequest(settings.CallbackRouteKey!, url, settings.CallbackApiSecret, ForceUpdate: false);
        var current = await api.RegisterCardCallbackAsync(request, cancellationToken);
        if (current.CallbackUrl != url || current.ApiSecret != settings.CallbackApiSecret)
        {
            LogOverwriting(logger, request.CallbackRouteKey, current.CallbackUrl ?? "(none)");
            await api.RegisterCardCallbackAsync(request with { ForceUpdate = true }, cancellationToken);
        }

        LogRegistered(logger, request.CallbackRouteKey, url);
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Card callback route {RouteKey} registered for {Url}")]
    private static partial void LogRegistered(ILogger logger, string routeKey, string url);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "Card callback route {RouteKey} pointed at {OldUrl}; overwriting it")]
    private static partial void LogOverwriting(ILogger logger, string routeKey, string oldUrl);

    [LoggerMessage(EventId = 322, Level = LogLevel.Error, Message = "Registering card callback route {RouteKey} failed; retrying in {DelaySeconds:0.#} s")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception, string routeKey, double delaySeconds);
}
