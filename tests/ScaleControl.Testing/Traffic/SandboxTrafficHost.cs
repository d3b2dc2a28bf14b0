using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.Traffic;

namespace ScaleControl.Testing.Traffic;

/// <summary>The traffic simulator's HTTP surface alone on 127.0.0.1:0, as the sandbox mounts it in the product host.</summary>
public sealed class SandboxTrafficHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxTrafficHost(WebApplication app)
    {
        _app = app;
        Url = new Uri(app.Urls.First());
    }

    public Uri Url { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<SandboxTrafficHost> StartAsync(Action<SandboxTrafficOptions> configure, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        services?.Invoke(builder.Services);
        builder.Services.AddSandboxTraffic(configure);
        var app = builder.Build();
        app.MapSandboxTraffic();
        await app.StartAsync();
        return new SandboxTrafficHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
