using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary><c>kubectl rollout restart</c>, <c>history</c> and <c>undo</c>: the revisions and events the deployment controller keeps.</summary>
public sealed class RolloutUndoTests
{
    [Fact]
    public async Task RestartThenUndo_HistoryRenumbersAndTheOldTemplateComesBack()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var first = await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}");
        await kubectl.RunAsync("rollout", "restart", "deploy/web", "-n", "shop");
        sandbox.Control.ReconcileNow();
        var afterRestart = Revisions((await kubectl.RunAsync("rollout", "history", "deploy/web", "-n", "shop")).StdOut);
        var undo = await kubectl.RunAsync("rollout", "undo", "deploy/web", "-n", "shop");
        sandbox.Control.ReconcileNow();
        var afterUndo = Revisions((await kubectl.RunAsync("rollout", "history", "deploy/web", "-n", "shop")).StdOut);
        var deployment = JsonNode.Parse((await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "json")).StdOut)!;
        var missing = await kubectl.RunRawAsync("rollout", "undo", "deploy/web", "-n", "shop", "--to-revision=9");
        for (var pass = 0; pass < 4; pass++)
        {
            sandbox.Time!.Advance(TimeSpan.FromSeconds(10));
            sandbox.Control.ReconcileNow();
        }

        var status = await kubectl.RunAsync("rollout", "status", "deploy/web", "-n", "shop", "--timeout=10s");
        var podHashes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].metadata.labels.pod-template-hash}")).StdOut;
        var revisionThree = (await kubectl.RunAsync("get", "rs", "-n", "shop", "-o", "jsonpath={.items[?(@.metadata.annotations.deployment\\.kubernetes\\.io/revision==\"3\")].metadata.labels.pod-template-hash}")).StdOut;

        Assert.Equal("1", first.StdOut);
        Assert.Equal(["1", "2"], afterRestart);
        Assert.Equal("deployment.apps/web rolled back", undo.StdOut.Trim());
        Assert.Equal(["2", "3"], afterUndo); // revision 1 is now 3, as the deployment controller renumbers it
        Assert.Null(deployment["spec"]!["template"]!["metadata"]!["annotations"]?["kubectl.kubernetes.io/restartedAt"]);
        Assert.Equal("3", (string?)deployment["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]);
        Assert.Equal((1, "error: unable to find specified revision 9 in history"), (missing.ExitCode, missing.StdErr.Trim()));
        Assert.Equal("deployment \"web\" successfully rolled out", status.StdOut.Trim());
        Assert.Equal([revisionThree, revisionThree], podHashes.Split(' '));
    }

    [Fact]
    public async Task Scale_DescribeDeploymentShowsTheControllersScalingReplicaSetEvents()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var replicaSet = (await kubectl.RunAsync("get", "rs", "-n", "shop", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;

        // A second between the scales: describe orders events by their (whole-second) timestamps.
        sandbox.Time!.Advance(TimeSpan.FromSeconds(1));
        await kubectl.RunAsync("scale", "deploy/web", "-n", "shop", "--replicas=5");
        sandbox.Control.ReconcileNow();
        sandbox.Time.Advance(TimeSpan.FromSeconds(1));
        await kubectl.RunAsync("scale", "deploy/web", "-n", "shop", "--replicas=3");
        sandbox.Control.ReconcileNow();
        var events = (await kubectl.RunAsync("describe", "deploy", "web", "-n", "shop")).StdOut.Split("Events:")[1]
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(3))).ToList();

        Assert.Equal(
            [$"deployment-controller Scaled up replica set {replicaSet} from 0 to 2", $"deployment-controller Scaled up replica set {replicaSet} from 2 to 5",
             $"deployment-controller Scaled down replica set {replicaSet} from 5 to 3"],
            events);
    }

    [Fact]
    public async Task StatefulSet_HistoryListsItsControllerRevisionsAndUndoRestoresTheOldTemplate()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedStatefulSet("video", "transcoder", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var image = (await kubectl.RunAsync("get", "sts", "transcoder", "-n", "video", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).StdOut;

        await kubectl.RunAsync("annotate", "sts/transcoder", "-n", "video", "kubernetes.io/change-cause=transcoder:2 for AV1");
        await kubectl.RunAsync("set", "image", "sts/transcoder", "-n", "video", "*=transcoder:2");
        sandbox.Control.ReconcileNow();
        var history = (await kubectl.RunAsync("rollout", "history", "sts/transcoder", "-n", "video")).StdOut;
        var revisionOne = (await kubectl.RunAsync("rollout", "history", "sts/transcoder", "-n", "video", "--revision=1")).StdOut;
        var revisions = (await kubectl.RunAsync("get", "controllerrevisions", "-n", "video")).StdOut;
        var undo = await kubectl.RunAsync("rollout", "undo", "sts/transcoder", "-n", "video", "--to-revision=1");
        sandbox.Control.ReconcileNow();
        var afterUndo = Revisions((await kubectl.RunAsync("rollout", "history", "sts/transcoder", "-n", "video")).StdOut);
        var imageAfterUndo = (await kubectl.RunAsync("get", "sts", "transcoder", "-n", "video", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).StdOut;
        var missing = await kubectl.RunRawAsync("rollout", "undo", "sts/transcoder", "-n", "video", "--to-revision=9");
        await kubectl.RunAsync("delete", "sts", "transcoder", "-n", "video");
        sandbox.Control.ReconcileNow();
        var left = await kubectl.RunAsync("get", "controllerrevisions", "-n", "video", "-o", "name");

        Assert.Equal(["1 <none>", "2 transcoder:2 for AV1"], history.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        Assert.Contains($"Image:\t{image}", revisionOne, StringComparison.Ordinal);
        Assert.Matches(@"transcoder-\w+ +statefulset\.apps/transcoder +2 ", revisions);
        Assert.Equal("statefulset.apps/transcoder rolled back", undo.StdOut.Trim());
        Assert.Equal(["2", "3"], afterUndo); // revision 1 is now 3, as the statefulset controller renumbers it
        Assert.Equal(image, imageAfterUndo);
        Assert.Equal((1, "error: unable to find specified revision 9 in history"), (missing.ExitCode, missing.StdErr.Trim()));
        Assert.Equal("", left.StdOut.Trim());
    }

    private static string[] Revisions(string history) =>
        [.. history.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])];
}
