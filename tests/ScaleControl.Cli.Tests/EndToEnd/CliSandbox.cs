using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ScaleControl.Testing.Server;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// The real server process in sandbox mode (<see cref="SandboxServer"/>) with the quick settings the CLI tests need,
/// and scalectl pointed at it.
/// </summary>
public sealed class CliSandbox : IAsyncLifetime
{
    public const string AdminToken = SandboxServer.AdminToken;
    public const string OperatorToken = SandboxServer.OperatorToken;
    public const string ViewerToken = SandboxServer.ViewerToken;

    /// <summary>The sandbox's rate window here: a demand held this long is what the loop reads.</summary>
    public const int RateWindowSeconds = 15;

    private readonly IReadOnlyDictionary<string, string> _settings;
    private SandboxServer? _server;

    public CliSandbox()
        : this(new Dictionary<string, string>())
    {
    }

    /// <param name="settings">Extra environment variables for the server (e.g. <c>ScaleControl__Prometheus__Url</c>).</param>
    internal CliSandbox(IReadOnlyDictionary<string, string> settings) => _settings = settings;

    public string Url { get; private set; } = "";

    public Scalectl Cli(string? token = AdminToken) => new(Url, token);

    public async Task InitializeAsync()
    {
        // Short rate windows, so the control loop reacts to a hot event within seconds.
        var settings = new Dictionary<string, string> { ["ScaleControl__Sandbox__RateWindow"] = $"{RateWindowSeconds}s" };
        foreach (var (key, value) in _settings)
        {
            settings[key] = value;
        }

        _server = await SandboxServer.StartAsync(settings);
        Url = _server.BaseUrl.ToString().TrimEnd('/');

        // The tests' own policies live in namespaces of their own, created first as on a real cluster (it makes none).
        foreach (var ns in new[] { "clitest", "clifollow", "clikept", "payments" })
        {
            await _server.Kubectl.RunAsync("create", "namespace", ns);
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Real kubectl against the sandbox cluster, as admin: a write that goes past the ScaleControl API.</summary>
    public Task<ScaleControl.Testing.Kubernetes.KubectlResult> KubectlAsync(params string[] args) => _server!.Kubectl.RunAsync(args);

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
public sealed class CliSandboxCollection : ICollectionFixture<CliSandbox>
{
    public const string Name = "sandbox server";
}
