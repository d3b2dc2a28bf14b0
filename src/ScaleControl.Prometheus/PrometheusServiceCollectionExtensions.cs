using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;
using ScaleControl.Core.Ports;
using ScaleControl.Prometheus.Api;
using ScaleControl.Prometheus.Http;

namespace ScaleControl.Prometheus;

public static class PrometheusServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PrometheusMetricSource"/> as the <see cref="IMetricSource"/>, configured from
    /// <c>ScaleControl:Prometheus</c> and validated on start. Registered with AddSingleton, so it wins over a
    /// sandbox source that was registered with TryAdd, whatever the order.
    /// </summary>
    public static IServiceCollection AddScaleControlPrometheus(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrometheusOptions>()
            .Bind(configuration.GetSection(PrometheusOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PrometheusOptions>, PrometheusOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddTransient<PrometheusAuthHandler>();
        services.AddHttpClient(PrometheusApiClient.HttpClientName, (sp, http) =>
            {
                var url = sp.GetRequiredService<IOptions<PrometheusOptions>>().Value.Url!;
                http.BaseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline times each attempt
            })
            .ConfigurePrimaryHttpMessageHandler(sp => PrometheusTls.CreateHandler(sp.GetRequiredService<IOptions<PrometheusOptions>>().Value.Tls))
            .AddHttpMessageHandler<PrometheusAuthHandler>()
            .AddResilienceHandler(PrometheusRetryTelemetry.HandlerName, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<PrometheusOptions>>().Value;
                if (options.Retries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.Retries,
                        Delay = options.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                    });
                }

                pipeline.AddTimeout(options.Timeout);
            });

        services.Configure<TelemetryOptions>(PrometheusRetryTelemetry.Quiet);
        services.AddSingleton<PrometheusApiClient>();
        services.AddSingleton(sp => new PrometheusMetricSource(
            sp.GetRequiredService<PrometheusApiClient>(),
            sp.GetRequiredService<IOptions<PrometheusOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PrometheusMetricSource>>()));
        services.AddSingleton<IMetricSource>(sp => sp.GetRequiredService<PrometheusMetricSource>());
        return services;
    }
}
