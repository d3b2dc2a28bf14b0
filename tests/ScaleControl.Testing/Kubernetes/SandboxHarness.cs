using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Testing.Kubernetes;

/// <summary>
/// A sandbox API server on 127.0.0.1:0 plus the clients a test talks to it with; optionally ScaleControl's CRDs
/// installed and a fake clock. Whatever a test attaches with <see cref="Own{T}"/> is disposed before the server.
/// </summary>
public sealed class SandboxHarness : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private SandboxHarness(SandboxKubernetesServer server, FakeTimeProvider? time)
    {
        Server = server;
        Time = time;
        var trust = server.Certificate is { } certificate
            ? new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(certificate.Certificate)
            : null;
        Client = new k8s.Kubernetes(new KubernetesClientConfiguration
        {
            Host = server.BaseUri.ToString(), HttpClientTimeout = TimeSpan.FromSeconds(20), SslCaCerts = trust,
        });
        Http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = trust is null ? null : (_, cert, _, _) => cert?.Thumbprint == trust[0].Thumbprint,
        })
        { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <summary>charts/scalecontrol/crds/*.yaml, copied next to the tests by the test project.</summary>
    public static string[] CrdFiles => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "crds"), "*.yaml");

    public SandboxKubernetesServer Server { get; }

    public SandboxKubernetesControl Control => Server.Control;

    /// <summary>The fake clock, when the harness was started with one (controller loop off; call ReconcileNow).</summary>
    public FakeTimeProvider? Time { get; }

    public IKubernetes Client { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts a sandbox. With <paramref name="fakeTime"/> the controller loop is off and the clock is a
    /// <see cref="FakeTimeProvider"/>; <paramref name="installCrds"/> seeds <see cref="CrdFiles"/>; <paramref name="tls"/> serves
    /// https (kubectl sends bearer tokens only over TLS); <paramref name="services"/> adds to the server's host (e.g. the traffic simulator).
    /// </summary>
    public static async Task<SandboxHarness> StartAsync(
        Action<SandboxKubernetesOptions>? configure = null, bool fakeTime = false, string prefix = "", bool installCrds = false, bool tls = false,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero)) : null;
        var server = await SandboxKubernetesServer.StartAsync(o =>
        {
            o.RunControllerLoop = !fakeTime;
            configure?.Invoke(o);
        }, time, prefix, tls, services: services);
        foreach (var crd in installCrds ? CrdFiles : [])
        {
            server.Control.Seed(File.ReadAllText(crd));
        }

        return new SandboxHarness(server, time);
    }

    /// <summary>Disposes <paramref name="disposable"/> with the harness, before the server stops.</summary>
    public T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async Task<(int Status, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        Client.Dispose();
        Http.Dispose();

        await Server.DisposeAsync(); // open watches and held requests end on the stop (ShutdownTests)
    }
}
