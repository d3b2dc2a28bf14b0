using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A Deployment's minReadySeconds on a fake clock: a pod counts as available only once ready for that long, in the
/// ReplicaSet's and the Deployment's availableReplicas and in how far the rolling update may scale old pods down.
/// </summary>
public sealed class MinReadySecondsTests
{
    private const string Counts = "jsonpath={.status.replicas} {.status.readyReplicas} {.status.availableReplicas} {.status.unavailableReplicas}";

    [Fact]
    public async Task NewPodReadyButNotForMinReadySeconds_IsNotAvailable_AndOldPodsStay()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 2);
        await kubectl.RunAsync("patch", "deploy", "web", "-n", "shop", "-p",
            """{"spec":{"minReadySeconds":12,"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}}""");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(20));
        var settled = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", Counts)).StdOut;

        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:1.28", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // the new ReplicaSet's pod is bound
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // ready
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(10)); // ready for 10 s of 12
        var waiting = await RolloutSandbox.SizesAsync(kubectl);
        var counts = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", Counts)).StdOut;
        var newSet = (await kubectl.RunAsync("get", "rs", "-n", "shop", "-o",
            "jsonpath={.items[?(@.spec.template.spec.containers[0].image==\"nginx:1.28\")].spec.minReadySeconds} {.items[?(@.spec.template.spec.containers[0].image==\"nginx:1.28\")].status.readyReplicas} {.items[?(@.spec.template.spec.containers[0].image==\"nginx:1.28\")].status.availableReplicas}")).StdOut;
        var status = (await kubectl.RunAsync("rollout", "status", "deploy/web", "-n", "shop", "--watch=false")).StdOut;
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // ready for 15 s
        var moving = await RolloutSandbox.SizesAsync(kubectl);
        for (var i = 0; i < 10; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var done = await RolloutSandbox.SizesAsync(kubectl);
        var rolledOut = (await kubectl.RunAsync("rollout", "status", "deploy/web", "-n", "shop", "--watch=false")).StdOut;

        Assert.Equal("2 2 2 ", settled);
        Assert.Equal(["0 nginx:1.27 2", "0 nginx:1.28 1"], waiting); // maxUnavailable 0: no old pod goes for an unavailable new one
        Assert.Equal("3 3 2 1", counts);
        Assert.Equal("12 1 0", newSet);
        Assert.Equal("Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have been updated...\n", status);
        Assert.Equal(["0 nginx:1.27 1", "0 nginx:1.28 1"], moving);
        Assert.Equal(["0 nginx:1.27 0", "0 nginx:1.28 2"], done);
        Assert.Equal("deployment \"web\" successfully rolled out\n", rolledOut);
    }

    [Fact]
    public async Task MinReadySecondsNotBelowTheProgressDeadline_IsRejectedAsTheApiserverDoes()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 1);

        var tooLong = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"minReadySeconds":600}}""");
        var negative = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"minReadySeconds":-1,"revisionHistoryLimit":-2}}""");

        Assert.Equal(1, tooLong.ExitCode);
        Assert.Contains("""The Deployment "web" is invalid: spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds""", tooLong.StdErr, StringComparison.Ordinal);
        Assert.Equal(1, negative.ExitCode);
        Assert.Contains("* spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0", negative.StdErr, StringComparison.Ordinal);
        Assert.Contains("* spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0", negative.StdErr, StringComparison.Ordinal);
    }
}
