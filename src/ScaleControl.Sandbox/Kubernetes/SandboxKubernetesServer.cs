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

    private SandboxKubernetesServer(WebApplication app, Uri baseUri, SandboxCertificate? certificate)
    {
        _app = app;
        BaseUri = baseUri;
        Certificate = certificate;
    }

    /// <summary>The serving certificate when started with TLS (needed for bearer tokens from kubectl), else null.</summary>
    public SandboxCertificate? Certificate { get; }

    /// <summary>The API's base URL, including the path prefix, ending in '/'.</summary>
    public Uri BaseUri { get; }

    public SandboxKubernetesControl Control => _app.Services.GetRequiredService<SandboxKubernetesControl>();

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a server; pass a FakeTimeProvider to drive readiness and bookmarks from a test, and <paramref name="services"/>
    /// to run more of the sandbox in the same host (e.g. the traffic simulator, whose load the metrics API reports).
    /// </summary>
    public static async Task<SandboxKubernetesServer> StartAsync(
        Action<SandboxKubernetesOptions>? configure = null, TimeProvider? time = null, string prefix = "", bool tls = false,
        CancellationToken cancellationToken = default, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var certificate = tls ? SandboxCertificate.Create(TimeProvider.System) : null;
        builder.WebHost.UseUrls(tls ? "https://127.0.0.1:0" : "http://127.0.0.1:0");
        if (certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate.Certificate));
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddSandboxKubernetes(configure);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapSandboxKubernetes(prefix);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        app.Services.AdvertiseSandboxKubernetes(new Uri(address));
        return new SandboxKubernetesServer(app, new Uri(address.TrimEnd('/') + prefix.TrimEnd('/') + "/"), certificate);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }
}
