using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using ScaleControl.Server.Api;

namespace ScaleControl.Server.Hosting;

public static class ServerHostingExtensions
{
    /// <summary>
    /// Options (validated on start), Kestrel's connection caps, the mode, JSON conventions (camelCase, enums as strings),
    /// ProblemDetails for every error, FluentValidation validators, health checks and the OpenAPI document.
    /// </summary>
    public static ServerMode AddScaleControlServer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.SectionName).ValidateOnStart();
        services.AddOptions<ControlLoopOptions>().BindConfiguration(ControlLoopOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CostOptions>().BindConfiguration(CostOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PeerOptions>().BindConfiguration(PeerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LeaderForwarding>();
        services.AddHttpClient(LeaderForwarding.HttpClientName);
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddConnectionLimits();
        services.AddRequestHeaderLimits();

        var mode = ResolveMode(builder.Configuration);
        services.AddSingleton(new ServerModeInfo(mode));
        services.AddSingleton(TimeProvider.System);

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false)); // "mode":1 is not a mode: the names only
            o.SerializerOptions.Converters.Add(new TimeWithOffsetConverter()); // "2026-12-06T20:00:00" says no zone: refused, not read as the server's
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow; // a typo is an error, never a silent default
            o.SerializerOptions.PropertyNameCaseInsensitive = false; // "Replicas" is not "replicas", as kubectl's strict decoding says
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict; // "5" is not a number, as for kubectl
            o.SerializerOptions.AllowDuplicateProperties = false; // {"replicas":3,"replicas":40} is an error, as kubectl's strict decoding says, not 40
            // "metrics": null is an error naming the field, not a null the validators crash on (500); answers are written as before.
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.TypeInfoResolver = (o.SerializerOptions.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(WritesNullsAsBefore);
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // BadRequestHandler answers with the field path
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddExceptionHandler<MissingNamespaceHandler>();
        services.AddExceptionHandler<NamespaceNotWatchedHandler>();
        services.AddExceptionHandler<StoreProblemsHandler>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            QueryParameterProblems.Explain(context);
            MediaTypeProblems.Explain(context);
            RequestBodyLimit.Explain(context);
        });
        services.AddSingleton<IValidator<ScalePolicy>, ScalePolicyValidator>();
        services.AddValidatorsFromAssemblyContaining<FreezeRequestValidator>(ServiceLifetime.Singleton);
        services.AddOpenApi();
        services.AddReadLimits();
        services.AddHealthChecks()
            .AddCheck<StoresReadyCheck>("stores", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<WorkloadCachesReadyCheck>("workload-caches", tags: [HealthEndpoints.ReadyTag]);
        return mode;
    }

    /// <summary>Null checks are for what a caller sends: an answer with a null where none is declared is written, not refused.</summary>
    private static void WritesNullsAsBefore(JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties.Where(p => !p.PropertyType.IsValueType))
        {
            property.IsGetNullable = true;
        }
    }

    /// <summary>
    /// Runs the settings checks the host would run on start, now: a bad setting stops the server before anything
    /// starts or is disposed, with the validation error itself as the only failure.
    /// </summary>
    public static void ValidateSettings(this WebApplication app) =>
        app.Services.GetService<IStartupValidator>()?.Validate();

    /// <summary>Explicit <c>ScaleControl:Mode</c> wins; otherwise a kubeconfig or an in-cluster environment means Cluster.</summary>
    public static ServerMode ResolveMode(IConfiguration configuration)
    {
        var configured = configuration[$"{ServerOptions.SectionName}:{nameof(ServerOptions.Mode)}"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Enum.TryParse<ServerMode>(configured, ignoreCase: true, out var mode) && !int.TryParse(configured, out _)
                ? mode
                : throw new InvalidOperationException($"ScaleControl:Mode '{configured}' is not one of Sandbox, Cluster.");
        }

        var clusterConfigured = !string.IsNullOrWhiteSpace(configuration["ScaleControl:Kubernetes:KubeconfigPath"])
            || !string.IsNullOrWhiteSpace(configuration["KUBERNETES_SERVICE_HOST"]);
        return clusterConfigured ? ServerMode.Cluster : ServerMode.Sandbox;
    }
}
