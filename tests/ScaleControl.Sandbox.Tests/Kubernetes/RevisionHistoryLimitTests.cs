using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A Deployment's revision history with real kubectl: old ReplicaSets beyond revisionHistoryLimit are deleted oldest
/// revision first (cleanupDeployment), each ReplicaSet keeps the change-cause it was rolled out with, and
/// <c>kubectl rollout undo --to-revision</c> reaches only the revisions kept.
/// </summary>
public sealed class RevisionHistoryLimitTests
{
    [Fact]
    public async Task FiveRollouts_LimitTwo_HistoryKeepsTheNewestThreeWithTheirChangeCauses_UndoReachesOnlyThose()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 2);
        await kubectl.RunAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"revisionHistoryLimit":2}}""");
        await kubectl.RunAsync("annotate", "deploy/web", "-n", "shop", "kubernetes.io/change-cause=first release");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var firstCause = (await kubectl.RunAsync("rollout", "history", "deploy/web", "-n", "shop")).StdOut;
        foreach (var version in new[] { "1.28", "1.29", "1.30", "1.31" })
        {
            await kubectl.RunAsync("annotate", "deploy/web", "-n", "shop", "--overwrite", $"kubernetes.io/change-cause=nginx {version}");
            await kubectl.RunAsync("set", "image", "deploy/web", $"nginx=nginx:{version}", "-n", "shop");
            for (var i = 0; i < 8; i++)
            {
                RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
            }
        }

        var sizes = await RolloutSandbox.SizesAsync(kubectl);
        var history = Lines((await kubectl.RunAsync("rollout", "history", "deploy/web", "-n", "shop")).StdOut);
        var revisionFour = (await kubectl.RunAsync("rollout", "history", "deploy/web", "-n", "shop", "--revision=4")).StdOut;
        var gone = await kubectl.RunRawAsync("rollout", "undo", "deploy/web", "-n", "shop", "--to-revision=2");
        var undo = await kubectl.RunAsync("rollout", "undo", "deploy/web", "-n", "shop", "--to-revision=3");
        for (var i = 0; i < 8; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var afterUndo = Lines((await kubectl.RunAsync("rollout", "history", "deploy/web", "-n", "shop")).StdOut);
        var image = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).StdOut;
        var formerRevisions = (await kubectl.RunAsync("get", "rs", "-n", "shop", "-o",
            "jsonpath={.items[?(@.spec.template.spec.containers[0].image==\"nginx:1.29\")].metadata.annotations.deployment\\.kubernetes\\.io/revision-history}")).StdOut;

        Assert.Equal(["1 first release"], Lines(firstCause)); // copied onto the running ReplicaSet too
        Assert.Equal(["0 nginx:1.29 0", "0 nginx:1.30 0", "0 nginx:1.31 2"], sizes);
        Assert.Equal(["3 nginx 1.29", "4 nginx 1.30", "5 nginx 1.31"], history);
        Assert.Contains("Image:\tnginx:1.30", revisionFour, StringComparison.Ordinal);
        Assert.Matches(@"kubernetes\.io/change-cause:\s+nginx 1\.30", revisionFour);
        Assert.Equal((1, "error: unable to find specified revision 2 in history"), (gone.ExitCode, gone.StdErr.Trim()));
        Assert.Equal("deployment.apps/web rolled back", undo.StdOut.Trim());
        Assert.Equal(["4 nginx 1.30", "5 nginx 1.31", "6 nginx 1.29"], afterUndo);
        Assert.Equal("nginx:1.29", image);
        Assert.Equal("3", formerRevisions); // revision 3 renumbered 6 keeps its former number
    }

    // The history's rows, "REVISION CHANGE-CAUSE" with the spacing folded.
    private static string[] Lines(string history) =>
        [.. history.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];
}
