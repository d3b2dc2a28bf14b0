using System.Text.RegularExpressions;
using ScaleControl.Testing.Kubernetes;
using static ScaleControl.Sandbox.Tests.Kubernetes.RolloutSandbox;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The deployment controller's strategies as real kubectl sees them, on a fake clock: a RollingUpdate bounded by
/// maxSurge and maxUnavailable (stuck on a bad image as a real cluster is, then past its progress deadline), a
/// scale during a rollout shared in proportion, and Recreate.
/// </summary>
public sealed class RollingUpdateTests
{
    [Fact]
    public async Task BadImageOnFourReplicas_OldAtThreeNewAtTwo_RolloutStatusWaits_ThenProgressDeadlineExceeded()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RunningAsync(sandbox, "web", 4);

        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:doesnotexist", "-n", "shop");
        for (var i = 0; i < 6; i++)
        {
            Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var sizes = await SizesAsync(kubectl);
        var deploy = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "--no-headers")).StdOut;
        var waiting = await kubectl.RunAsync("rollout", "status", "deploy/web", "-n", "shop", "--watch=false");
        var statuses = (await kubectl.RunAsync("get", "pods", "-n", "shop", "--no-headers")).StdOut;
        var counts = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o",
            "jsonpath={.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas} {.status.unavailableReplicas}")).StdOut;
        var progressingBefore = await ProgressingAsync(kubectl);
        for (var i = 0; i < 61; i++)
        {
            Pass(sandbox, TimeSpan.FromSeconds(10));
        }

        var progressingAfter = await ProgressingAsync(kubectl);
        var timedOut = await kubectl.RunRawAsync("rollout", "status", "deploy/web", "-n", "shop", "--watch=false");
        var describe = (await kubectl.RunAsync("describe", "deploy", "web", "-n", "shop")).StdOut;

        Assert.Equal(["0 nginx:1.27 3", "0 nginx:doesnotexist 2"], sizes);
        Assert.Matches(@"^web\s+3/4\s+2\s+3\s", deploy);
        Assert.Equal("Waiting for deployment \"web\" rollout to finish: 2 out of 4 new replicas have been updated...\n", waiting.StdOut);
        Assert.True(Regex.Matches(statuses, "ImagePullBackOff").Count == 2, statuses);
        Assert.Equal(3, Regex.Matches(statuses, "Running").Count);
        Assert.Equal("5 2 3 3 2", counts);
        Assert.Equal("True ReplicaSetUpdated", progressingBefore);
        Assert.Equal("False ProgressDeadlineExceeded", progressingAfter);
        Assert.NotEqual(0, timedOut.ExitCode);
        Assert.Contains("error: deployment \"web\" exceeded its progress deadline", timedOut.StdErr, StringComparison.Ordinal);
        Assert.Matches(@"Replicas:\s+4 desired \| 2 updated \| 5 total \| 3 available \| 2 unavailable", describe);
        Assert.Matches(@"Available\s+True\s+MinimumReplicasAvailable", describe);
        Assert.Matches(@"Progressing\s+False\s+ProgressDeadlineExceeded", describe);
        Assert.Matches(@"RollingUpdateStrategy:\s+25% max unavailable, 25% max surge", describe);
    }

    [Fact]
    public async Task IntegerMaxSurgeAndMaxUnavailable_BoundTheRollout()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RunningAsync(sandbox, "web", 4);
        await kubectl.RunAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"strategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":2}}}}""");

        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:doesnotexist", "-n", "shop");
        for (var i = 0; i < 4; i++)
        {
            Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var sizes = await SizesAsync(kubectl);
        var ready = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.status.readyReplicas}")).StdOut;

        Assert.Equal(["0 nginx:1.27 2", "0 nginx:doesnotexist 2"], sizes); // never over 4 pods, never under 2 available
        Assert.Equal("2", ready);
    }

    [Fact]
    public async Task ScaleDuringAStuckRollout_SharesTheNewReplicasInProportion()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RunningAsync(sandbox, "web", 4);
        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:doesnotexist", "-n", "shop");
        for (var i = 0; i < 4; i++)
        {
            Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        await kubectl.RunAsync("scale", "deploy/web", "--replicas=8", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        var up = await SizesAsync(kubectl);
        await kubectl.RunAsync("scale", "deploy/web", "--replicas=2", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        var down = await SizesAsync(kubectl);

        // 8 + 2 surge = 10 shared 3:2 from 5; then 2 + 1 surge = 3 shared from 10, the largest taking the rounding.
        Assert.Equal(["0 nginx:1.27 6", "0 nginx:doesnotexist 4"], up);
        Assert.Equal(["0 nginx:1.27 2", "0 nginx:doesnotexist 1"], down);
    }

    [Fact]
    public async Task Recreate_OldPodsGoBeforeTheNewReplicaSetIsCreated()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RunningAsync(sandbox, "web", 3);
        await kubectl.RunAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}""");

        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:1.28", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        var scaledDown = await SizesAsync(kubectl);
        var podsLeft = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].spec.containers[0].image}")).StdOut;
        for (var i = 0; i < 8; i++)
        {
            Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var recreated = await SizesAsync(kubectl);
        var rollout = await kubectl.RunAsync("rollout", "status", "deploy/web", "-n", "shop", "--watch=false");

        Assert.Equal(["0 nginx:1.27 0"], scaledDown);
        Assert.DoesNotContain("nginx:1.28", podsLeft, StringComparison.Ordinal);
        Assert.Equal(["0 nginx:1.27 0", "0 nginx:1.28 3"], recreated);
        Assert.Contains("successfully rolled out", rollout.StdOut, StringComparison.Ordinal);
    }
}
