using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// <c>ScaleControl:Connections</c>: how many connections one replica holds open. Kestrel sets no cap of its own, so
/// whoever reaches the port could hold any number open (each with its buffers and, once a request starts, its work);
/// beyond the cap Kestrel closes a new connection as soon as it is accepted, and the ones already open are served as before.
/// </summary>
public sealed class ConnectionLimitOptions
{
    public const string SectionName = "ScaleControl:Connections";

    /// <summary>Open HTTP connections (kept-alive ones too); a WebSocket or other upgraded one counts below instead.</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrent { get; set; } = 1000;

    /// <summary>Open upgraded connections (WebSockets: in sandbox mode the DingTalk emulator's Stream gateway).</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentUpgraded { get; set; } = 500;
}

public static class ConnectionLimits
{
    /// <summary>Kestrel's connection caps from <see cref="ConnectionLimitOptions"/> (validated on start, like every setting).</summary>
    public static IServiceCollection AddConnectionLimits(this IServiceCollection services)
    {
        services.AddOptions<ConnectionLimitOptions>().BindConfiguration(ConnectionLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ConnectionLimitOptions>>((kestrel, limits) =>
        {
            kestrel.Limits.MaxConcurrentConnections = limits.Value.MaxConcurrent;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.Value.MaxConcurrentUpgraded;
        });
        return services;
    }
}
