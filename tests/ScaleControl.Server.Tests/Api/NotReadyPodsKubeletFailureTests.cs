using System.Text.Json;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Text;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// Pods that never become ready because the kubelet cannot pull their image or their container keeps exiting. The real
/// server and Kubernetes adapters against the sandbox API server, whose kubelets write ImagePullBackOff and
/// CrashLoopBackOff as a kubelet 1.32 does: the status, over HTTP and in chat, says so in the kubelet's words.
/// </summary>
public sealed class NotReadyPodsKubeletFailureTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string NotFound =
        "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:doesnotexist\": "
        + "failed to resolve reference \"docker.io/library/nginx:doesnotexist\": docker.io/library/nginx:doesnotexist: not found";

    private const string Workloads = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: checkout-api, namespace: shop}
        spec:
          replicas: 3
          selector: {matchLabels: {app: checkout-api}}
          template:
            metadata: {labels: {app: checkout-api}}
            spec:
              containers: [{name: api, image: "nginx:doesnotexist"}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: worker, namespace: shop}
        spec:
          replicas: 2
          selector: {matchLabels: {app: worker}}
          template:
            metadata: {labels: {app: worker}}
            spec:
              containers: [{name: worker, image: "busybox:1.36", command: ["false"]}]
        """;

    private SandboxHarness _sandbox = null!;
    private ServerFactory _server = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHarness.StartAsync(o => o.PodStartupDelay = TimeSpan.FromSeconds(5), fakeTime: true, installCrds: true);
        _sandbox.Control.Seed(Workloads);
        _sandbox.Control.ReconcileNow();

        // 7 s on: the pull failed at once and is backing off; the container exited at 5 s, again at 6 s, and backs off.
        _sandbox.Time!.Advance(TimeSpan.FromSeconds(7));
        _sandbox.Control.ReconcileNow();
        _server = new ServerFactory { KubernetesApi = _sandbox.Server.BaseUri };
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, "checkout-api"), default);
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, "worker"), default);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Status_ImagePullBackOffAndCrashLoopBackOff_SaidInTheKubeletsWords_OverHttpAndInChat()
    {
        var checkout = await PolicyAsync("checkout-api");
        var worker = await PolicyAsync("worker");

        var pull = $"3 of 3 pods ImagePullBackOff: Back-off pulling image \"nginx:doesnotexist\": ErrImagePull: {NotFound}";
        Assert.Equal([pull], Lines(checkout.GetProperty("notReady")));
        var group = checkout.GetProperty("notReady").GetProperty("groups")[0];
        Assert.Equal(("Waiting", "ImagePullBackOff", 3), (group.GetProperty("cause").GetString(), group.GetProperty("reason").GetString(), group.GetProperty("pods").GetInt32()));
        var crash = Assert.Single(Lines(worker.GetProperty("notReady")));
        Assert.Matches(@"^2 of 2 pods CrashLoopBackOff: back-off 10s restarting failed container=worker pod=worker-[a-z0-9]{10}-[a-z0-9]{5}_shop\([0-9a-f-]{36}\)$", crash);

        var chat = await _server.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new StatusCommand(Ns, null), "zhangsan", "Zhang San", "status shop", "cidOnCall=="), default);
        Assert.Contains($"**shop/checkout-api** 3 replicas (0 ready) · Auto\n⏳ {pull}", chat.Markdown, StringComparison.Ordinal);
        Assert.Contains($"⏳ {MarkdownText.Escape(crash)}", chat.Markdown, StringComparison.Ordinal); // the pod's name_namespace escaped
    }

    /// <summary>The policy's row once the server has seen its workload's counts (the watch delivers the sandbox's status write).</summary>
    private async Task<JsonElement> PolicyAsync(string name)
    {
        using var viewer = _server.ClientWith(ViewerToken);
        JsonElement row = default;
        Assert.True(await Patience.UntilAsync(async () =>
        {
            using var response = await viewer.GetAsync("/api/v1/status");
            response.EnsureSuccessStatusCode();
            row = (await response.ReadJson()).GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
            return row.GetProperty("readyReplicas").ValueKind == JsonValueKind.Number && row.GetProperty("notReady").ValueKind == JsonValueKind.Object;
        }, 10), $"{name} never showed its not-ready pods: {row}");
        return row;
    }

    private static string[] Lines(JsonElement notReady) => [.. notReady.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!)];
}
