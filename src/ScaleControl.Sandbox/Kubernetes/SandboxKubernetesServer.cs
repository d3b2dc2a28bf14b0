using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>A dedicated sandbox API host on 127.0.0.1 with a free port (tests, tools).</summary>
public sealed class SandboxKubernetesServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxKubernetesServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The API's base URL, including the path prefix, ending in '/'.</summary>
    public Uri BaseUri { get; }

    public SandboxKubernetesControl Control => _app.Services.GetRequiredService<SandboxKubernetesControl>();

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; pass a FakeTimeProvider to drive readiness and bookmarks from a test.</summary>
    public static async Task<SandboxKubernetesServer> StartAsync(
        Action<SandboxKubernetesOptions>? configure = null, TimeProvider? time = null, string prefix = "", CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddSandboxKubernetes(configure);
        var app = builder.Build();
        app.MapSandboxKubernetes(prefix);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxKubernetesServer(app, new Uri(address.TrimEnd('/') + prefix.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
