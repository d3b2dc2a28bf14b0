using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kubectl rollout pause</c> and <c>resume</c> on a fake clock, as the deployment controller's sync() and
/// checkPausedConditions handle spec.paused: a paused Deployment is only scaled, never rolled.
/// </summary>
public sealed class RolloutPauseTests
{
    [Fact]
    public async Task PausedSetImage_DoesNotRoll_ScaleStillScales_ResumeRolls()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 4);

        var pause = await kubectl.RunAsync("rollout", "pause", "deploy/web", "-n", "shop");
        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:1.28", "-n", "shop");
        for (var i = 0; i < 4; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var paused = await RolloutSandbox.SizesAsync(kubectl);
        var images = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].spec.containers[0].image}")).StdOut;
        var condition = await RolloutSandbox.ProgressingAsync(kubectl, withMessage: true);
        var status = await kubectl.RunRawAsync("rollout", "status", "deploy/web", "-n", "shop", "--watch=false");
        await kubectl.RunAsync("scale", "deploy/web", "--replicas=6", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var scaled = await RolloutSandbox.SizesAsync(kubectl);

        // Paused past the 600 s progress deadline: no ProgressDeadlineExceeded, and the resume restarts the clock.
        for (var i = 0; i < 61; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(10));
        }

        var stillPaused = await RolloutSandbox.ProgressingAsync(kubectl);
        var resume = await kubectl.RunAsync("rollout", "resume", "deploy/web", "-n", "shop");
        for (var i = 0; i < 12; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var rolled = await RolloutSandbox.SizesAsync(kubectl);
        var done = await kubectl.RunAsync("rollout", "status", "deploy/web", "-n", "shop", "--watch=false");

        Assert.Equal("deployment.apps/web paused", pause.StdOut.Trim());
        Assert.Equal(["0 nginx:1.27 4"], paused); // no new ReplicaSet
        Assert.Equal("nginx:1.27 nginx:1.27 nginx:1.27 nginx:1.27", images);
        Assert.Equal("Unknown DeploymentPaused Deployment is paused", condition);
        Assert.Equal((0, "Waiting for deployment \"web\" rollout to finish: 0 out of 4 new replicas have been updated...\n"), (status.ExitCode, status.StdOut));
        Assert.Equal(["0 nginx:1.27 6"], scaled);
        Assert.Equal("Unknown DeploymentPaused", stillPaused);
        Assert.Equal("deployment.apps/web resumed", resume.StdOut.Trim());
        Assert.Equal(["0 nginx:1.27 0", "0 nginx:1.28 6"], rolled);
        Assert.Equal("deployment \"web\" successfully rolled out\n", done.StdOut);
        Assert.Equal("True NewReplicaSetAvailable", await RolloutSandbox.ProgressingAsync(kubectl));
    }

    [Fact]
    public async Task PausedMidRollout_StaysWhereItIs_AndAScaleIsSharedInProportion()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 4);
        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:doesnotexist", "-n", "shop");
        for (var i = 0; i < 4; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        await kubectl.RunAsync("rollout", "pause", "deploy/web", "-n", "shop");
        for (var i = 0; i < 4; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var paused = await RolloutSandbox.SizesAsync(kubectl);
        await kubectl.RunAsync("scale", "deploy/web", "--replicas=8", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var scaled = await RolloutSandbox.SizesAsync(kubectl);
        var describe = (await kubectl.RunAsync("describe", "deploy", "web", "-n", "shop")).StdOut;
        var undo = await kubectl.RunRawAsync("rollout", "undo", "deploy/web", "-n", "shop");

        // As the unpaused scale(): 8 + 2 surge = 10 shared 3:2 from 5.
        Assert.Equal(["0 nginx:1.27 3", "0 nginx:doesnotexist 2"], paused);
        Assert.Equal(["0 nginx:1.27 6", "0 nginx:doesnotexist 4"], scaled);
        Assert.Matches(@"Progressing\s+Unknown\s+DeploymentPaused", describe);
        Assert.Equal(1, undo.ExitCode); // kubectl refuses by itself, reading spec.paused
        Assert.Contains("you cannot rollback a paused deployment", undo.StdErr, StringComparison.Ordinal);
    }
}
