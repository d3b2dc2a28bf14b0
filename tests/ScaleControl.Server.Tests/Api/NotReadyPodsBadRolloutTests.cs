using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// A bad image rolled out during a storm: the deployment controller keeps 3 of 4 old pods and starts 2 new ones that
/// never pull, so READY stays one short of the count ScaleControl set. The status says why in the kubelet's words,
/// not just "3 ready". The real server and Kubernetes adapters against the sandbox API server, the rollout by real
/// kubectl on a fake clock.
/// </summary>
public sealed class NotReadyPodsBadRolloutTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";

    private SandboxHarness _sandbox = null!;
    private Kubectl _kubectl = null!;
    private ServerFactory _server = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHarness.StartAsync(o => o.PodStartupDelay = TimeSpan.FromSeconds(5), fakeTime: true, installCrds: true);
        _kubectl = new Kubectl(_sandbox.Server.BaseUri);
        await _kubectl.RunAsync("create", "namespace", Ns);
        await _kubectl.RunAsync("create", "deployment", Workload, "--image=nginx:1.27", "--replicas=4", "-n", Ns);
        Pass(TimeSpan.Zero);
        Pass(TimeSpan.FromSeconds(5));
        Pass(TimeSpan.Zero);

        await _kubectl.RunAsync("set", "image", $"deploy/{Workload}", "nginx=nginx:doesnotexist", "-n", Ns);
        for (var i = 0; i < 6; i++)
        {
            Pass(TimeSpan.FromSeconds(5));
        }

        _server = new ServerFactory { KubernetesApi = _sandbox.Server.BaseUri };
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, Workload), default);
    }

    public async Task DisposeAsync()
    {
        _kubectl.Dispose();
        await _server.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task BadImageRolledOut_ReadyOneShort_StatusNamesTheNewPodsImagePullBackOff()
    {
        var row = await PolicyAsync();

        Assert.Equal((4, 3), (row.GetProperty("currentReplicas").GetInt32(), row.GetProperty("readyReplicas").GetInt32()));
        var line = Assert.Single(row.GetProperty("notReady").GetProperty("lines").EnumerateArray()).GetString()!;
        Assert.StartsWith("2 of 5 pods ImagePullBackOff: Back-off pulling image \"nginx:doesnotexist\": ErrImagePull: ", line, StringComparison.Ordinal);
    }

    /// <summary>The policy's row once the server has seen the workload's counts and read its pods.</summary>
    private async Task<JsonElement> PolicyAsync()
    {
        using var viewer = _server.ClientWith(ViewerToken);
        JsonElement row = default;
        Assert.True(await Patience.UntilAsync(async () =>
        {
            using var response = await viewer.GetAsync("/api/v1/status");
            response.EnsureSuccessStatusCode();
            row = (await response.ReadJson()).GetProperty("policies").EnumerateArray().Single();
            return row.GetProperty("readyReplicas").ValueKind == JsonValueKind.Number && row.GetProperty("notReady").ValueKind == JsonValueKind.Object;
        }, 10), $"the not-ready pods never showed: {row}");
        return row;
    }

    private void Pass(TimeSpan advance)
    {
        _sandbox.Time!.Advance(advance);
        _sandbox.Control.ReconcileNow();
    }
}
