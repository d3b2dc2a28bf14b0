using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Events of one object within the same second, with real kubectl on a fake clock: named as the recorder names them
/// (<c>&lt;object&gt;.&lt;unix nanos in hex&gt;</c>), so the list comes in the order they happened and kubectl describe
/// and kubectl events, which sort by the whole-second timestamp, keep that order.
/// </summary>
public sealed class EventOrderTests
{
    [Fact]
    public async Task DescribeDeployment_ShowsEventsOfTheSameSecondInTheOrderTheyHappened()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 1);
        var replicaSet = (await kubectl.RunAsync("get", "rs", "-n", "shop", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;
        foreach (var replicas in new[] { 3, 5, 2, 4 })
        {
            await kubectl.RunAsync("scale", "deploy/web", "-n", "shop", $"--replicas={replicas}");
            sandbox.Control.ReconcileNow(); // the clock stands still: every event has the same timestamp
        }

        var described = (await kubectl.RunAsync("describe", "deploy", "web", "-n", "shop")).StdOut.Split("Events:")[1]
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(4))).ToList();
        var names = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "involvedObject.kind=Deployment",
            "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            [$"Scaled up replica set {replicaSet} from 0 to 1", $"Scaled up replica set {replicaSet} from 1 to 3", $"Scaled up replica set {replicaSet} from 3 to 5",
             $"Scaled down replica set {replicaSet} from 5 to 2", $"Scaled up replica set {replicaSet} from 2 to 4"],
            described);
        Assert.All(names, n => Assert.Matches(@"^web\.[0-9a-f]{16}$", n));
    }
}
