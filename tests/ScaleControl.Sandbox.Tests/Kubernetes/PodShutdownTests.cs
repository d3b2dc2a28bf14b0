using k8s;
using k8s.Models;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// How a deleted pod's containers stop, as the kubelet's killContainer does it: the preStop sleep first, then SIGTERM,
/// which a container with SANDBOX_SHUTDOWN_SECONDS handles (exit 0, Completed) and any other ignores until the kill
/// (137, Error) at what is left of the grace period, at least 2 s; and the apiserver's validation of a sleep action.
/// Real kubectl and the KubernetesClient on a fake clock.
/// </summary>
public sealed class PodShutdownTests
{
    private static string Web(string lifecycle, string env = "", int grace = 30) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: {{{grace}}}
              containers:
              - name: web
                image: sandbox/web:1
                {{{lifecycle}}}
                {{{env}}}
        """;

    private static async Task<(SandboxHarness Sandbox, string Pod)> RunningAsync(string manifest)
    {
        var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(manifest);
        sandbox.Control.ReconcileNow();
        Pass(sandbox, 5);
        var pod = (string)sandbox.Control.List("v1", "Pod", "shop")[0]["metadata"]!["name"]!;
        await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":["example.com/hold"]}}""", V1Patch.PatchType.MergePatch), pod, "shop");
        return (sandbox, pod);
    }

    private static void Pass(SandboxHarness sandbox, int seconds)
    {
        sandbox.Time!.Advance(TimeSpan.FromSeconds(seconds));
        sandbox.Control.ReconcileNow();
    }

    private static string Phase(SandboxHarness sandbox, string pod) => (string)sandbox.Control.Get("v1", "Pod", "shop", pod)!["status"]!["phase"]!;

    [Fact]
    public async Task KubectlDelete_PreStopSleepThenSigterm_ContainerExitsZeroAfterItsShutdown_PodCompleted()
    {
        var (sandbox, pod) = await RunningAsync(Web("lifecycle: {preStop: {sleep: {seconds: 5}}}", "env: [{name: SANDBOX_SHUTDOWN_SECONDS, value: '2'}]"));
        await using var _ = sandbox;
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
        Pass(sandbox, 6);
        var afterSix = Phase(sandbox, pod);
        Pass(sandbox, 1);
        var stopped = await sandbox.Client.CoreV1.ReadNamespacedPodAsync(pod, "shop");
        var row = (await kubectl.RunAsync("get", "pod", pod, "-n", "shop", "--no-headers")).StdOut;

        Assert.Equal("Running", afterSix); // 5 s of preStop sleep, then 2 s to exit on SIGTERM
        Assert.Equal("Succeeded", stopped.Status.Phase);
        var terminated = stopped.Status.ContainerStatuses[0].State.Terminated;
        Assert.Equal((0, "Completed", new DateTime(2026, 5, 1, 12, 0, 12, DateTimeKind.Utc)), (terminated.ExitCode, terminated.Reason, terminated.FinishedAt!.Value.ToUniversalTime()));
        Assert.Contains(stopped.Status.Conditions, c => c is { Type: "Ready", Status: "False", Reason: "PodCompleted" });
        Assert.Equal(["0/1", "Completed"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..3]);
    }

    [Fact]
    public async Task Delete_SleepAsLongAsTheGracePeriod_ContainerStillGetsTwoSecondsThenIsKilled()
    {
        var (sandbox, pod) = await RunningAsync(Web("lifecycle: {preStop: {sleep: {seconds: 10}}}", grace: 10));
        await using var _ = sandbox;

        await sandbox.Client.CoreV1.DeleteNamespacedPodAsync(pod, "shop");
        Pass(sandbox, 11);
        var atEleven = Phase(sandbox, pod);
        Pass(sandbox, 1);
        var stopped = await sandbox.Client.CoreV1.ReadNamespacedPodAsync(pod, "shop");

        Assert.Equal("Running", atEleven); // minimumGracePeriodInSeconds: SIGTERM at 10 s, SIGKILL at 12 s
        Assert.Equal(("Failed", 137, "Error"), (stopped.Status.Phase, stopped.Status.ContainerStatuses[0].State.Terminated.ExitCode, stopped.Status.ContainerStatuses[0].State.Terminated.Reason));
    }

    [Fact]
    public async Task Delete_ShutdownLongerThanTheGracePeriodLeft_ContainerIsKilledAtTheDeadline()
    {
        var (sandbox, pod) = await RunningAsync(Web("lifecycle: {preStop: {exec: {command: [sh, -c, 'sleep 5']}}}", "env: [{name: SANDBOX_SHUTDOWN_SECONDS, value: '45'}]"));
        await using var _ = sandbox;

        await sandbox.Client.CoreV1.DeleteNamespacedPodAsync(pod, "shop");
        Pass(sandbox, 29);
        var before = Phase(sandbox, pod);
        Pass(sandbox, 1);

        Assert.Equal("Running", before); // the exec hook cannot run here: counted as done at once
        Assert.Equal("Failed", Phase(sandbox, pod));
    }

    [Fact]
    public async Task KubectlApply_SleepOfZeroOrOverTheGracePeriod_IsRefusedWithTheApiserversWords()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var zero = Path.Combine(Path.GetTempPath(), $"sleep0-{Guid.NewGuid():N}.yaml");
        var over = Path.Combine(Path.GetTempPath(), $"sleep31-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(zero, Web("lifecycle: {preStop: {sleep: {seconds: 0}}}"));
        await File.WriteAllTextAsync(over, Web("lifecycle: {postStart: {}, preStop: {sleep: {seconds: 31}, exec: {command: ['true']}}}"));
        try
        {
            var zeroResult = await kubectl.RunRawAsync("apply", "-f", zero);
            var overResult = await kubectl.RunRawAsync("apply", "-f", over);
            var pod = await sandbox.SendAsync(HttpMethod.Post, "api/v1/namespaces/shop/pods",
                """{"metadata":{"name":"p"},"spec":{"terminationGracePeriodSeconds":5,"containers":[{"name":"c","image":"nginx","lifecycle":{"preStop":{"sleep":{"seconds":6}}}}]}}""");

            Assert.NotEqual(0, zeroResult.ExitCode);
            Assert.Contains("The Deployment \"web\" is invalid: spec.template.spec.containers[0].lifecycle.preStop.sleep: Invalid value: 0: must be greater than 0 and less than terminationGracePeriodSeconds (30). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.", zeroResult.StdErr, StringComparison.Ordinal);
            Assert.Contains("spec.template.spec.containers[0].lifecycle.postStart: Required value: must specify a handler type", overResult.StdErr, StringComparison.Ordinal);
            Assert.Contains("spec.template.spec.containers[0].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type", overResult.StdErr, StringComparison.Ordinal);
            Assert.Equal(422, pod.Status);
            Assert.Equal("Pod \"p\" is invalid: spec.containers[0].lifecycle.preStop.sleep: Invalid value: 6: must be greater than 0 and less than terminationGracePeriodSeconds (5). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.", (string?)pod.Body["message"]);
            Assert.Empty(sandbox.Control.List("apps/v1", "Deployment", "shop"));
        }
        finally
        {
            File.Delete(zero);
            File.Delete(over);
        }
    }
}
