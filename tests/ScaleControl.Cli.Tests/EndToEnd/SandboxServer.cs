using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// The real ScaleControl server in sandbox mode (no cluster configured), on real Kestrel at 127.0.0.1 with a free port,
/// so the scalectl process can reach it.
/// </summary>
public sealed class SandboxServer : IAsyncLifetime
{
    public const string AdminToken = "sandbox-admin";
    public const string OperatorToken = "sandbox-zhangsan";
    public const string ViewerToken = "sandbox-viewer";

    private readonly WebApplicationFactory<global::Program> _factory;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("scalectl-sandbox-");

    public SandboxServer()
        : this(new Dictionary<string, string?>())
    {
    }

    internal SandboxServer(IReadOnlyDictionary<string, string?> settings)
    {
        _factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production"); // Development turns on DI validation, which trips over the server's validator registrations
            // The sandbox talks to itself over HTTP: it pins a free port from --urls before Kestrel starts.
            builder.UseSetting("urls", "http://127.0.0.1:0");
            builder.UseSetting("ScaleControl:Sandbox:KubeconfigPath", Path.Combine(_directory.FullName, "kubeconfig"));
            builder.UseSetting("ScaleControl:Sandbox:FlatTraffic", "true");
            builder.UseSetting("ScaleControl:Sandbox:PodStartupSeconds", "1");
            // A quick loop and short rate windows, so the control loop reacts to a hot event within seconds.
            builder.UseSetting("ScaleControl:Loop:StartupDelaySeconds", "0.5");
            builder.UseSetting("ScaleControl:Loop:TickSeconds", "0.5");
            builder.UseSetting("ScaleControl:Sandbox:EvaluationIntervalSeconds", "1");
            builder.UseSetting("ScaleControl:Sandbox:RateWindow", "15s");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        _factory.UseKestrel();
    }


    public string Url { get; private set; } = "";

    public Scalectl Cli(string? token = AdminToken) => new(Url, token);

    public Task InitializeAsync()
    {
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        Url = addresses.Addresses.First();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    /// <summary>A direct API call (as admin), for arranging a scene the CLI then looks at.</summary>
    public async Task<JsonNode?> ApiAsync(HttpMethod method, string path, object? body = null, string token = AdminToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.EnsureSuccessStatusCode();
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    /// <summary>Polls until <paramref name="probe"/> yields a value (the control loop works in real time).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0}s waiting for {what}");
            }

            await Task.Delay(250);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxServerCollection : ICollectionFixture<SandboxServer>
{
    public const string Name = "sandbox server";
}
