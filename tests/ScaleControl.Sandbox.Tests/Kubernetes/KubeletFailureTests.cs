using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The kubelet's failures as real kubectl shows them, on a fake clock: an image the registry does not have
/// (ErrImagePull, then ImagePullBackOff on a 10 s back-off that doubles), a container that exits at start
/// (Error, restarts, CrashLoopBackOff), and a rollback that brings the good pods back.
/// </summary>
public sealed class KubeletFailureTests
{
    private const string NotFound =
        "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:doesnotexist\": "
        + "failed to resolve reference \"docker.io/library/nginx:doesnotexist\": docker.io/library/nginx:doesnotexist: not found";

    [Fact]
    public async Task SetImageToAMissingTag_ErrImagePullThenImagePullBackOff_OnTheKubeletsBackOff_AndUndoRecovers()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        Pass(sandbox, TimeSpan.FromSeconds(5));

        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:doesnotexist", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        var pulling = await StatusesAsync(kubectl);
        var badPod = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[?(@.spec.containers[0].image==\"nginx:doesnotexist\")].metadata.name}")).StdOut.Split(' ')[0];
        var errImagePull = await PodAsync(kubectl, badPod);
        Pass(sandbox, TimeSpan.FromSeconds(5));
        var backingOff = await StatusesAsync(kubectl);
        var backOffPod = await PodAsync(kubectl, badPod);
        Pass(sandbox, TimeSpan.FromSeconds(5)); // 10 s: the second pull
        var secondPull = await StatusesAsync(kubectl);
        Pass(sandbox, TimeSpan.FromSeconds(19)); // 29 s: still backing off (20 s since the second pull)
        var beforeThird = await StatusesAsync(kubectl);
        Pass(sandbox, TimeSpan.FromSeconds(1)); // 30 s: the third pull
        var thirdPull = await StatusesAsync(kubectl);
        var describe = (await kubectl.RunAsync("describe", "pod", badPod, "-n", "shop")).StdOut;
        var events = JsonNode.Parse((await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", $"involvedObject.name={badPod}", "-o", "json")).StdOut)!;

        await kubectl.RunAsync("rollout", "undo", "deploy/web", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        Pass(sandbox, TimeSpan.Zero); // the failing pod runs no container: the kubelet ends it on its next pass
        var recovered = await StatusesAsync(kubectl);
        var images = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].spec.containers[0].image}")).StdOut;
        var ready = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.status.readyReplicas}")).StdOut;

        Assert.Equal(["ErrImagePull 0/1 0", "Running 1/1 0", "Running 1/1 0"], pulling); // maxSurge 1, maxUnavailable 0 of 2
        var waiting = errImagePull["status"]!["containerStatuses"]![0]!;
        Assert.Equal(("ErrImagePull", NotFound, 0, false), ((string?)waiting["state"]!["waiting"]!["reason"], (string?)waiting["state"]!["waiting"]!["message"], (int?)waiting["restartCount"], (bool?)waiting["ready"]));
        Assert.Equal("Pending", (string?)errImagePull["status"]!["phase"]);
        Assert.All(new[] { "Ready", "ContainersReady" }, type =>
        {
            var condition = errImagePull["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == type)!;
            Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [nginx]"), ((string?)condition["status"], (string?)condition["reason"], (string?)condition["message"]));
        });
        Assert.Equal(["ImagePullBackOff 0/1 0", "Running 1/1 0", "Running 1/1 0"], backingOff);
        Assert.Equal($"Back-off pulling image \"nginx:doesnotexist\": ErrImagePull: {NotFound}",
            (string?)backOffPod["status"]!["containerStatuses"]![0]!["state"]!["waiting"]!["message"]);
        Assert.Equal("ErrImagePull", secondPull[0].Split(' ')[0]);
        Assert.Equal("ImagePullBackOff", beforeThird[0].Split(' ')[0]);
        Assert.Equal("ErrImagePull", thirdPull[0].Split(' ')[0]);
        Assert.Matches(new Regex(@"State:\s+Waiting\s+Reason:\s+ErrImagePull"), describe);
        Assert.Matches(new Regex(@"Normal\s+Pulling\s+.*\(x3 over [^)]+\)\s+kubelet\s+Pulling image ""nginx:doesnotexist"""), describe);
        Assert.Matches(new Regex(@"Warning\s+Failed\s+.*kubelet\s+Failed to pull image ""nginx:doesnotexist"": rpc error: code = NotFound"), describe);
        Assert.Matches(new Regex(@"Normal\s+BackOff\s+.*\(x2 over [^)]+\)\s+kubelet\s+Back-off pulling image ""nginx:doesnotexist"""), describe);
        Assert.Matches(new Regex(@"Warning\s+Failed\s+.*kubelet\s+Error: ImagePullBackOff"), describe);
        var pulls = events["items"]!.AsArray().Single(e => (string?)e!["reason"] == "Pulling")!;
        Assert.Equal((3, "spec.containers{nginx}", "kubelet"), ((int?)pulls["count"], (string?)pulls["involvedObject"]!["fieldPath"], (string?)pulls["source"]!["component"]));
        Assert.Equal(["Running 1/1 0", "Running 1/1 0"], recovered);
        Assert.Equal("nginx:1.27 nginx:1.27", images);
        Assert.Equal("2", ready);
    }

    [Fact]
    public async Task ContainerThatExits_ErrorThenRestartsThenCrashLoopBackOff_BackOffDoubles()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "jobs");
        await kubectl.RunAsync("create", "deployment", "crash", "--image=busybox:1.36", "-n", "jobs", "--", "false");
        Pass(sandbox, TimeSpan.Zero);
        var creating = await StatusesAsync(kubectl, "jobs");

        Pass(sandbox, TimeSpan.FromSeconds(5)); // started and exited at once
        var firstExit = await StatusesAsync(kubectl, "jobs");
        Pass(sandbox, TimeSpan.FromSeconds(1)); // restarted at once, exited again
        var secondExit = await StatusesAsync(kubectl, "jobs");
        Pass(sandbox, TimeSpan.FromSeconds(1));
        var crashLoop = await StatusesAsync(kubectl, "jobs");
        var name = (await kubectl.RunAsync("get", "pods", "-n", "jobs", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;
        var pod = await PodAsync(kubectl, name, "jobs");
        Pass(sandbox, TimeSpan.FromSeconds(8)); // 9 s after the second exit: still backing off
        var stillBackingOff = await StatusesAsync(kubectl, "jobs");
        Pass(sandbox, TimeSpan.FromSeconds(1)); // 10 s: restarted
        var thirdExit = await StatusesAsync(kubectl, "jobs");
        Pass(sandbox, TimeSpan.FromSeconds(1));
        var longerBackOff = (string?)(await PodAsync(kubectl, name, "jobs"))["status"]!["containerStatuses"]![0]!["state"]!["waiting"]!["message"];
        var describe = (await kubectl.RunAsync("describe", "pod", name, "-n", "jobs")).StdOut;

        Assert.Equal(["ContainerCreating 0/1 0"], creating);
        Assert.Equal(["Error 0/1 0"], firstExit);
        Assert.Equal(["Error 0/1 1 (1s ago)"], secondExit);
        Assert.Equal(["CrashLoopBackOff 0/1 1 (1s ago)"], crashLoop);
        var uid = (string?)pod["metadata"]!["uid"];
        var status = pod["status"]!["containerStatuses"]![0]!;
        Assert.Equal(("CrashLoopBackOff", $"back-off 10s restarting failed container=busybox pod={name}_jobs({uid})"),
            ((string?)status["state"]!["waiting"]!["reason"], (string?)status["state"]!["waiting"]!["message"]));
        Assert.Equal((1, "Error", 1), ((int?)status["lastState"]!["terminated"]!["exitCode"], (string?)status["lastState"]!["terminated"]!["reason"], (int?)status["restartCount"]));
        Assert.Equal("Running", (string?)pod["status"]!["phase"]);
        Assert.Equal(["CrashLoopBackOff 0/1 1 (9s ago)"], stillBackingOff);
        Assert.Equal(["Error 0/1 2 (10s ago)"], thirdExit);
        Assert.Equal($"back-off 20s restarting failed container=busybox pod={name}_jobs({uid})", longerBackOff);
        Assert.Matches(new Regex(@"Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+1"), describe);
        Assert.Matches(new Regex(@"Restart Count:\s+2"), describe);
        Assert.Matches(new Regex(@"Normal\s+Started\s+.*\(x3 over [^)]+\)\s+kubelet\s+Started container busybox"), describe);
        Assert.Matches(new Regex(@"Normal\s+Created\s+.*kubelet\s+Created container: busybox"), describe);
        Assert.Matches(new Regex($@"Warning\s+BackOff\s+.*kubelet\s+Back-off restarting failed container busybox in pod {Regex.Escape(name)}_jobs\({uid}\)"), describe);
    }

    [Fact]
    public async Task SetEnvExitCode_NewPodsCrash_OldOnesServe_UnsettingItRecovers()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("set", "env", "deploy/web", "SANDBOX_EXIT_CODE=3", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        Pass(sandbox, TimeSpan.FromSeconds(7));
        var crashing = await StatusesAsync(kubectl);
        var exitCodes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].status.containerStatuses[0].lastState.terminated.exitCode}")).StdOut;

        await kubectl.RunAsync("set", "env", "deploy/web", "SANDBOX_EXIT_CODE-", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        Pass(sandbox, TimeSpan.Zero); // the crashing pod runs no container: the kubelet ends it on its next pass
        var recovered = await StatusesAsync(kubectl);

        Assert.Equal(["CrashLoopBackOff 0/1 1 (1s ago)", "Running 1/1 0", "Running 1/1 0"], crashing); // one surge pod of 2
        Assert.Equal("3", exitCodes);
        Assert.Equal(["Running 1/1 0", "Running 1/1 0"], recovered);
    }

    [Fact]
    public async Task CreatedWithAMissingImage_SetImageToAGoodOne_NewPodsStartAndTheFailingOnesGo()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "deployment", "web", "--image=nginx:missing", "--replicas=2", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        Pass(sandbox, TimeSpan.FromSeconds(5));
        var failing = await StatusesAsync(kubectl);

        await kubectl.RunAsync("set", "image", "deploy/web", "nginx=nginx:1.27", "-n", "shop");
        Pass(sandbox, TimeSpan.Zero);
        var starting = await StatusesAsync(kubectl);
        Pass(sandbox, TimeSpan.FromSeconds(5)); // the new pod is ready (the scheduler runs after the controllers)
        Pass(sandbox, TimeSpan.Zero); // a failing one goes
        Pass(sandbox, TimeSpan.Zero); // the second new pod
        Pass(sandbox, TimeSpan.FromSeconds(5));
        Pass(sandbox, TimeSpan.Zero); // it is ready: the last failing one goes
        Pass(sandbox, TimeSpan.Zero); // it runs no container: the kubelet ends it on its next pass
        var started = await StatusesAsync(kubectl);
        var images = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].spec.containers[0].image}")).StdOut;

        Assert.Equal(["ImagePullBackOff 0/1 0", "ImagePullBackOff 0/1 0"], failing);
        // One surge pod: none of the old ones is available, so none may go until a new one is (maxUnavailable 0).
        Assert.Equal(["ContainerCreating 0/1 0", "ImagePullBackOff 0/1 0", "ImagePullBackOff 0/1 0"], starting);
        Assert.Equal(["Running 1/1 0", "Running 1/1 0"], started);
        Assert.Equal("nginx:1.27 nginx:1.27", images);
    }

    [Fact]
    public async Task ImageOnAnInvalidRegistryHost_ErrImagePullSaysNoSuchHost_WithTheDefaultTag()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("run", "probe", "--image=nonexistent.invalid/team/app", "-n", "default");
        Pass(sandbox, TimeSpan.Zero);

        var pod = await PodAsync(kubectl, "probe", "default");
        var events = (await kubectl.RunAsync("get", "events", "-n", "default", "--field-selector", "reason=Failed", "-o", "jsonpath={.items[*].message}")).StdOut;

        Assert.Equal(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"nonexistent.invalid/team/app:latest\": failed to resolve reference "
            + "\"nonexistent.invalid/team/app:latest\": failed to do request: Head \"https://nonexistent.invalid/v2/team/app/manifests/latest\": "
            + "dial tcp: lookup nonexistent.invalid: no such host",
            (string?)pod["status"]!["containerStatuses"]![0]!["state"]!["waiting"]!["message"]);
        Assert.Contains("Failed to pull image \"nonexistent.invalid/team/app:latest\": rpc error", events, StringComparison.Ordinal);
        Assert.Contains("Error: ErrImagePull", events, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"a","image":"busybox","command":["false"]}""", 1)]
    [InlineData("""{"name":"a","image":"busybox","args":["/bin/false"]}""", 1)]
    [InlineData("""{"name":"a","image":"busybox","command":["sh","-c","exit 42"]}""", 42)]
    [InlineData("""{"name":"a","image":"busybox","env":[{"name":"SANDBOX_EXIT_CODE","value":"0"}]}""", 0)]
    [InlineData("""{"name":"a","image":"busybox","command":["sh","-c","sleep 3600"]}""", null)]
    [InlineData("""{"name":"a","image":"busybox","command":["false","--help"]}""", null)]
    public void CrashTriggers_AsDocumented(string container, int? exitCode)
    {
        var fault = Sandbox.Kubernetes.Cluster.ContainerFault.Of(JsonNode.Parse(container)!.AsObject());

        Assert.Equal(exitCode, (fault as Sandbox.Kubernetes.Cluster.CrashFault)?.ExitCode);
    }

    [Theory]
    [InlineData("nginx:doesnotexist", true)]
    [InlineData("ghcr.io/acme/api:missing", true)]
    [InlineData("registry.nonexistent.invalid:5000/app:1", true)]
    [InlineData("nginx", false)]
    [InlineData("nginx:1.27", false)]
    [InlineData("acme/missing:1", false)]
    public void PullTriggers_AsDocumented(string image, bool fails) =>
        Assert.Equal(fails, Sandbox.Kubernetes.Cluster.SimulatedRegistry.PullError(image) is not null);

    private static void Pass(SandboxHarness sandbox, TimeSpan advance)
    {
        sandbox.Time!.Advance(advance);
        sandbox.Control.ReconcileNow();
    }

    // kubectl get pods' STATUS, READY and RESTARTS (the apiserver prints the table, on the fake clock), sorted.
    private static async Task<List<string>> StatusesAsync(Kubectl kubectl, string ns = "shop")
    {
        var lines = (await kubectl.RunAsync("get", "pods", "-n", ns, "--no-headers")).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [.. lines.Select(l => Regex.Split(l.Trim(), @"\s{2,}")).Select(c => $"{c[2]} {c[1]} {c[3]}").Order(StringComparer.Ordinal)];
    }

    private static async Task<JsonNode> PodAsync(Kubectl kubectl, string name, string ns = "shop") =>
        JsonNode.Parse((await kubectl.RunAsync("get", "pod", name, "-n", ns, "-o", "json")).StdOut)!;
}
