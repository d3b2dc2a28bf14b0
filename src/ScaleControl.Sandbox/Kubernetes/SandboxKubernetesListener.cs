using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.Kubernetes.Http;

namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>
/// The sandbox Kubernetes API on a listener of its own (as an apiserver has its own port): a small Kestrel host at
/// <paramref name="url"/> whose every path goes to the API handler of the hosting application's sandbox cluster, so
/// <c>/healthz</c>, <c>/version</c> or <c>/api/v1</c> there reach the emulated API server and never the product.
/// An https URL is served with <paramref name="certificate"/>.
/// </summary>
internal sealed class SandboxKubernetesListener(IServiceProvider services, Uri url, SandboxCertificate? certificate) : IHostedService
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
        var app = builder.Build();
        app.MapSandboxKubernetes("", services.GetRequiredService<KubernetesApiHandler>());
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }
    }
}
