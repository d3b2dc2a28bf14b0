using System.Text.Json;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Chat;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The product as the chart deploys it, against a sandbox cluster: the end-to-end suite's default. Two processes —
/// a sandbox server that is only the cluster, the traffic, Prometheus's query API and the DingTalk emulator (its own
/// control loop idle), and the product in cluster mode with the chart's ServiceAccount token and exactly the chart's
/// RBAC (see <see cref="SharedCluster"/>), configured with the sandbox's people, demo tokens and group. So every test
/// of the product's story is also a test of the chart's least privilege: a 403 fails it.
/// Paths under <c>/sandbox/</c> reach the cluster process, every other path the product.
/// </summary>
public sealed class ProductOnCluster : IAsyncDisposable
{
    private const string SandboxSettingPrefix = "ScaleControl__Sandbox__";

    private ProductOnCluster(SharedCluster cluster, SandboxServer product)
    {
        Cluster = cluster;
        Product = product;
    }

    public SharedCluster Cluster { get; }

    /// <summary>The product's process (cluster mode): its API, dashboard, metrics and log.</summary>
    public SandboxServer Product { get; }

    /// <summary>Real kubectl as the cluster's admin (the test's view of the cluster, not the product's).</summary>
    public Kubectl Kubectl => Cluster.Sandbox.Kubectl;

    /// <summary>The cluster process's own routes: the DingTalk emulator's script API, traffic, the request journal.</summary>
    public HttpClient SandboxHttp => Cluster.Sandbox.Http;

    /// <summary>The product's log.</summary>
    public string Output => Product.Output;

    /// <summary>
    /// Starts both. <paramref name="settings"/> are environment variables as for <see cref="SandboxServer.StartAsync"/>:
    /// <c>ScaleControl__Sandbox__*</c> go to the cluster process (traffic, nodes, the seeded policies), the rest to the product.
    /// </summary>
    public static async Task<ProductOnCluster> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        settings ??= Fast.Settings();
        var sandbox = settings.Where(s => s.Key.StartsWith(SandboxSettingPrefix, StringComparison.Ordinal)).Select(s => (s.Key, s.Value)).ToArray();
        var product = settings.Where(s => !s.Key.StartsWith(SandboxSettingPrefix, StringComparison.Ordinal)).Select(s => (s.Key, s.Value));
        var cluster = await SharedCluster.StartAsync(sandbox: sandbox);
        try
        {
            var replica = await cluster.StartReplicaAsync("scalecontrol", [.. AsTheSandboxWould(cluster), .. product]);
            return new ProductOnCluster(cluster, replica);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string token) => Product.Client(token);

    public Task<JsonElement> GetJson(string path, string? token = null) => For(path).GetJson(path, token);

    public Task<JsonElement> PostJson(string path, object body, string? token = null) => For(path).PostJson(path, body, token);

    public Task HotEventAsync(string ns, string workload, double multiplier) => Cluster.Sandbox.HotEventAsync(ns, workload, multiplier);

    public Task<T> Eventually<T>(Func<Task<T?>> probe, string what, int seconds = 45) => Product.Eventually(probe, what, seconds);

    public Task<JsonElement> EventuallyJson(Func<Task<JsonElement?>> probe, string what, int seconds = 45) => Product.EventuallyJson(probe, what, seconds);

    public Task Eventually(Func<Task<bool>> probe, string what, int seconds = 45) => Product.Eventually(probe, what, seconds);

    public async ValueTask DisposeAsync()
    {
        await Product.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    private SandboxServer For(string path) => path.StartsWith("/sandbox/", StringComparison.Ordinal) ? Cluster.Sandbox : Product;

    /// <summary>
    /// What sandbox mode configures by itself, given explicitly as an operator would in values.yaml: Prometheus (the
    /// simulator's query API), the demo tokens, the group's people and their names, the group that gets notices.
    /// </summary>
    private static IEnumerable<(string Key, string Value)> AsTheSandboxWould(SharedCluster cluster)
    {
        var tokens = Path.Combine(cluster.Sandbox.WorkingDirectory, "product-tokens.json");
        File.WriteAllText(tokens, JsonSerializer.Serialize(TokenDirectory.SandboxDemoTokens, JsonSerializerOptions.Web));
        yield return ("ScaleControl__Auth__TokensFile", tokens);
        yield return ("ScaleControl__Prometheus__Url", new Uri(cluster.Sandbox.BaseUrl, "sandbox/prometheus/").ToString());
        yield return ("ScaleControl__DingTalk__MaxRetryAttempts", "3");
        yield return ("ScaleControl__DingTalk__NoticeConversationId", cluster.DingTalk.GetProperty("groups")[0].GetProperty("openConversationId").GetString()!);
        foreach (var user in cluster.DingTalk.GetProperty("users").EnumerateArray())
        {
            yield return ($"ScaleControl__DingTalk__UserNames__{user.GetProperty("userId").GetString()}", user.GetProperty("name").GetString()!);
        }

        foreach (var (person, i) in ChatPeople.SandboxPeople.Select((p, i) => (p, i)))
        {
            yield return ($"ScaleControl__Auth__People__{i}__UserId", person.UserId);
            yield return ($"ScaleControl__Auth__People__{i}__Role", person.Role);
            foreach (var (ns, j) in person.Namespaces.Select((n, j) => (n, j)))
            {
                yield return ($"ScaleControl__Auth__People__{i}__Namespaces__{j}", ns);
            }
        }
    }
}
