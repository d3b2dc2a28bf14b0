using k8s;
using k8s.Models;
using Microsoft.Data.Sqlite;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Storage;

using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>The object store kept in a state directory: a new server on the same directory sees what was written.</summary>
public sealed class DurableStateTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("sandbox-state-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Restart_OnTheSameStateDirectory_KeepsObjectsCrdsAndResourceVersions()
    {
        string uid;
        long versionBefore;
        await using (var first = await StartAsync())
        {
            first.Control.Seed(File.ReadAllText(CrdPath()));
            var created = first.Control.SeedDeployment("shop", "web", 3, readyReplicas: 3);
            uid = (string)created["metadata"]!["uid"]!;
            first.Control.ReconcileNow();
            await first.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch(new { spec = new { replicas = 5 } }, V1Patch.PatchType.MergePatch), "web", "shop");
            versionBefore = first.Control.ResourceVersion;
        }

        await using var second = await StartAsync();
        var deployment = await second.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
        var pods = await second.Client.CoreV1.ListNamespacedPodAsync("shop");
        var policies = await second.Http.GetAsync("apis/scalecontrol.io/v1alpha1/scalepolicies");
        await second.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "after" } });

        Assert.True(second.Control.Restored);
        Assert.Equal((uid, 5), (deployment.Metadata.Uid, deployment.Spec.Replicas));
        Assert.Equal(3, pods.Items.Count); // the pods of before; the controllers add the rest on their next pass
        Assert.Equal(200, (int)policies.StatusCode);
        Assert.True(second.Control.ResourceVersion > versionBefore);
    }

    [Fact]
    public async Task ResetState_StartsAnEmptyCluster()
    {
        await using (var first = await StartAsync())
        {
            first.Control.SeedDeployment("shop", "web", 1);
        }

        await using var second = await StartAsync(reset: true);

        Assert.False(second.Control.Restored);
        Assert.Null(second.Control.Get("apps/v1", "Deployment", "shop", "web"));
        Assert.NotNull(second.Control.Get("v1", "Namespace", "", "default"));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("overwritten")]
    public async Task Restart_OnAnUnreadableStateFile_RefusesToStartAndLeavesTheFileAsItWas(string damage)
    {
        await using (var first = await StartAsync())
        {
            for (var i = 0; i < 50; i++)
            {
                first.Control.SeedDeployment("shop", $"web-{i}", 3);
            }
        }

        var path = Path.Combine(_state, "cluster.db");
        if (damage == "truncated")
        {
            using var file = File.OpenWrite(path);
            file.SetLength(file.Length / 2);
        }
        else
        {
            File.WriteAllBytes(path, [.. Enumerable.Repeat((byte)'x', 8192)]);
        }

        var kept = File.ReadAllBytes(path);

        var error = await Assert.ThrowsAsync<SandboxStateException>(() => StartAsync());

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("--reset", error.Message, StringComparison.Ordinal);
        Assert.Equal(kept, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task Restart_WithAStoredObjectThatIsNotJson_NamesTheObjectInsteadOfStartingWithoutIt()
    {
        await using (var first = await StartAsync())
        {
            first.Control.SeedDeployment("shop", "web", 3);
        }

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_state, "cluster.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE objects SET body = '{\"apiVersion\":\"apps/v1\",\"kin' WHERE namespace = 'shop' AND name = 'web'";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var error = await Assert.ThrowsAsync<SandboxStateException>(() => StartAsync());

        Assert.Contains("shop/web", error.Message, StringComparison.Ordinal);
    }

    private Task<SandboxHarness> StartAsync(bool reset = false) => SandboxHarness.StartAsync(o =>
    {
        o.StateDirectory = _state;
        o.ResetState = reset;
    }, fakeTime: true);

    private static string CrdPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "charts")))
        {
            directory = directory.Parent;
        }

        return Directory.GetFiles(Path.Combine(directory!.FullName, "charts"), "scalepolicies.yaml", SearchOption.AllDirectories).First();
    }
}
