using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Chat;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.DingTalk.Notices;
using ScaleControl.DingTalk.Stream;

namespace ScaleControl.DingTalk;

public static class DingTalkServiceCollectionExtensions
{
    /// <summary>
    /// Registers the DingTalk adapter from <c>ScaleControl:DingTalk</c>: <see cref="IApprovalNotifier"/> (cards, DING),
    /// <see cref="INoticePublisher"/>, the Stream callback client (CallbackMode Stream) or the route registrar (Http;
    /// map the endpoint with <see cref="CardCallbackEndpoint.MapDingTalkCardCallback"/>). Taps go to the
    /// <see cref="IApprovalInbox"/> the host registers; chat commands to the <see cref="ICommandInbox"/> it registers
    /// (without one the robot answers that commands are not enabled).
    /// </summary>
    public static IServiceCollection AddScaleControlDingTalk(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DingTalkOptions>()
            .Bind(configuration.GetSection(DingTalkOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DingTalkOptions>, DingTalkOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DingTalkOptions>, DingTalkOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<DingTalkMetrics>();

        services.AddHttpClient(DingTalkHttpClients.Api)
            .AddStandardResilienceHandler()
            .Configure((resilience, provider) =>
            {
                var settings = provider.GetRequiredService<IOptionsMonitor<DingTalkOptions>>().CurrentValue;
                resilience.Retry.MaxRetryAttempts = Math.Max(settings.MaxRetryAttempts, 1);
                resilience.Retry.Delay = settings.RetryBaseDelay;
                resilience.Retry.BackoffType = DelayBackoffType.Exponential;
                resilience.Retry.UseJitter = true;
                resilience.Retry.ShouldHandle = args => settings.MaxRetryAttempts == 0
                    ? ValueTask.FromResult(false)
                    : DingTalkRetryPredicate.ShouldRetryAsync(args.Outcome);
            });
        services.AddHttpClient(DingTalkHttpClients.Api).AddHttpMessageHandler<DingTalkCallLog>(); // inside the retries: a line per attempt
        services.AddHttpClient(DingTalkHttpClients.Webhook)
            .AddStandardResilienceHandler();
        services.AddHttpClient(DingTalkHttpClients.Webhook).AddHttpMessageHandler<DingTalkCallLog>();
        services.TryAddTransient<DingTalkCallLog>();
        services.Configure<TelemetryOptions>(DingTalkRetryTelemetry.Quiet);

        services.TryAddSingleton<DingTalkAccessTokenProvider>();
        services.TryAddSingleton<DingTalkApiClient>();
        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<DingTalkOptions>>().Value;
            return new ApprovalCardContent(TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone), settings.DetailsBaseUrl, settings.UserNames, provider.GetRequiredService<TimeProvider>(),
                provider.GetService<IRecordSeals>()); // the host's seal check: a record written by hand is marked, never sizes the step
        });
        services.TryAddSingleton(provider => GroupTimes.From(provider.GetRequiredService<IOptions<DingTalkOptions>>().Value, provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ReminderCard>();
        services.TryAddSingleton<DingEscalation>();
        services.TryAddSingleton<AddedApproverMention>();
        services.TryAddSingleton<DingTalkCardNotifier>();
        services.TryAddSingleton<IApprovalNotifier>(provider => provider.GetRequiredService<DingTalkCardNotifier>());

        services.TryAddSingleton<WebhookRateLimiter>();
        services.TryAddSingleton<DingTalkWebhookClient>();
        services.TryAddSingleton<DingTalkNoticePublisher>();
        services.TryAddSingleton<INoticePublisher>(provider => provider.GetRequiredService<DingTalkNoticePublisher>());
        services.TryAddSingleton<IFaultNotifier, DingTalkFaultNotifier>();

        services.TryAddSingleton<DingTalkConfirmationCards>();
        services.TryAddSingleton<IConfirmationCards>(provider => provider.GetRequiredService<DingTalkConfirmationCards>());
        services.TryAddSingleton<ILateTapAnswers, DingTalkLateTapAnswers>();
        services.TryAddSingleton<CardCallbackHandler>();
        services.TryAddSingleton<ICommandInbox, CommandsUnavailable>();
        services.TryAddSingleton<ChatReplySender>();
        services.TryAddSingleton<ChatRateLimit>();
        services.TryAddSingleton<ChatMessageHandler>();
        services.TryAddSingleton<CardCallbackSignatureVerifier>();
        services.TryAddSingleton<SignatureReplayGuard>();
        services.TryAddSingleton<ICallbackReplayLedger, ProcessOnlyReplayLedger>(); // cluster mode: the Kubernetes adapter's
        services.TryAddSingleton<DingTalkStreamClient>();
        services.AddHostedService(provider => provider.GetRequiredService<DingTalkStreamClient>());
        services.TryAddSingleton<CardCallbackRouteRegistrar>();
        services.AddHostedService(provider => provider.GetRequiredService<CardCallbackRouteRegistrar>());
        return services;
    }
}
