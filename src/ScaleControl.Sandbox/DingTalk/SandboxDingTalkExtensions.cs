using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaleControl.Sandbox.DingTalk.Cards;
using ScaleControl.Sandbox.DingTalk.Chat;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Sandbox.DingTalk.Robots;
using ScaleControl.Sandbox.DingTalk.Sandbox;
using ScaleControl.Sandbox.DingTalk.Stream;

namespace ScaleControl.Sandbox.DingTalk;

/// <summary>Composition of the DingTalk emulator: <c>AddSandboxDingTalk</c> + <c>MapSandboxDingTalk("/sandbox/dingtalk")</c>.</summary>
public static class SandboxDingTalkExtensions
{
    public const string DefaultPrefix = "/sandbox/dingtalk";

    /// <summary>Registers the emulator; time comes from the registered <see cref="TimeProvider"/> (system clock if none).</summary>
    public static IServiceCollection AddSandboxDingTalk(this IServiceCollection services, DingTalkSandboxOptions? options = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options ?? DingTalkSandboxOptions.CreateDefault());
        services.AddSingleton<SandboxDirectory>();
        services.AddSingleton<AccessTokenStore>();
        services.AddSingleton<QpsLimiter>();
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<EmulatorStateFile>();
        services.AddSingleton<CardStore>();
        services.AddSingleton<CallbackRouteStore>();
        services.AddSingleton<CardDelivery>();
        services.AddSingleton<CardCallbackDispatcher>();
        services.AddSingleton<StreamTicketStore>();
        services.AddSingleton<StreamGateway>();
        services.AddSingleton<MessageLog>();
        services.AddSingleton<DingSettings>();
        services.AddSingleton<WebhookRateLimiter>();
        services.AddSingleton<ChatSessionStore>();
        services.AddSingleton<RobotChatDelivery>();
        services.AddHttpClient(CardCallbackDispatcher.HttpClientName);
        return services;
    }

    /// <summary>
    /// Serves DingTalk's own paths (api and oapi hosts share the base) plus the script API and phone page under
    /// <paramref name="prefix"/>. Use an empty prefix to serve at the root, as the official SDKs expect.
    /// </summary>
    public static IEndpointRouteBuilder MapSandboxDingTalk(this IEndpointRouteBuilder endpoints, string prefix = DefaultPrefix)
    {
        // The kept cards and messages are read now, so a damaged dingtalk.db stops the start (SandboxStateException)
        // as the cluster's does, rather than failing every DingTalk request after it.
        endpoints.ServiceProvider.GetRequiredService<CardStore>();
        endpoints.ServiceProvider.GetRequiredService<MessageLog>();
        var group = endpoints.MapGroup(prefix).WithMetadata(new SandboxMount(prefix.TrimEnd('/'))).WithTags("DingTalk sandbox");
        group.MapTokenApis();
        group.MapCardApis();
        group.MapCallbackRouteApis();
        group.MapStreamGateway();
        group.MapRobotMessageApis();
        group.MapRobotMessageStatusApis();
        group.MapDingApis();
        group.MapWebhook();
        group.MapScriptApi();
        group.MapPhonePage();
        group.MapChat();
        group.MapUnknownPaths();
        return endpoints;
    }
}
