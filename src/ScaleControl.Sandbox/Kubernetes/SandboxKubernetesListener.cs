using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.Kubernetes.Http;

namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>
/// The sandbox Kubernetes API on a listener of its own (as an apiserver has its own port): a small Kestrel host at
/// <paramref name="url"/> whose every path goes to the API handler of the hosting application's sandbox cluster, so
/// <c>/healthz</c>, <c>/version</c> or <c>/api/v1</c> there reach the emulated API server and never the product.
/// An https URL is served with <paramref name="certificate"/>. It lives as long as the hosting application: it ignores
/// Ctrl+C itself and closes when that application is disposed, after the clients in it (the product's watches) have
/// stopped, so a clean shutdown does not end with their "connection refused" warnings.
/// </summary>
internal sealed class SandboxKubernetesListener(IServiceProvider services, Uri url, SandboxCertificate? certificate) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        if (certificate is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate.Certificate));
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Services.AddSingleton<IHostLifetime, OwnerLifetime>();
        var app = builder.Build();
        app.MapSandboxKubernetes("", services.GetRequiredService<KubernetesApiHandler>());
        await app.StartAsync(cancellationToken);
        _app = app;
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        services.AdvertiseSandboxKubernetes(bound is null ? url : new Uri(bound));
    }

    /// <summary>Nothing yet: the hosting application's other services may still be talking to this API server.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await app.StopAsync(timeout.Token);
            await app.DisposeAsync();
        }
    }

    /// <summary>The listener's host starts and stops only when its owner says so; a console lifetime would stop it on its own SIGTERM.</summary>
    private sealed class OwnerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
