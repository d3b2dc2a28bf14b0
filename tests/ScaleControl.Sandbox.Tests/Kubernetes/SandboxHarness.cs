using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>A sandbox API server on 127.0.0.1:0 plus the clients a test talks to it with.</summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private SandboxHarness(SandboxKubernetesServer server, FakeTimeProvider? time)
    {
        Server = server;
        Time = time;
        Client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.BaseUri.ToString(), HttpClientTimeout = TimeSpan.FromSeconds(20) });
        Http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
    }

    public SandboxKubernetesServer Server { get; }

    public SandboxKubernetesControl Control => Server.Control;

    /// <summary>The fake clock, when the harness was started with one (controller loop off; call ReconcileNow).</summary>
    public FakeTimeProvider? Time { get; }

    public IKubernetes Client { get; }

    public HttpClient Http { get; }

    public static async Task<SandboxHarness> StartAsync(Action<SandboxKubernetesOptions>? configure = null, bool fakeTime = false, string prefix = "")
    {
        var time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero)) : null;
        var server = await SandboxKubernetesServer.StartAsync(o =>
        {
            o.RunControllerLoop = !fakeTime;
            configure?.Invoke(o);
        }, time, prefix);
        return new SandboxHarness(server, time);
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
        Client.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
