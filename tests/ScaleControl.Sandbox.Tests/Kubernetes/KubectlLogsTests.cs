using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kubectl logs</c> against the sandbox: each simulated container's log says what the sandbox simulated of it
/// (started, listening, SIGTERM, exit, a restart by the start-failure trigger), with the apiserver's and kubelet's
/// options and errors. Real kubectl on a fake clock (started 2026-05-01 12:00:00).
/// </summary>
public sealed class KubectlLogsTests
{
    private const string HandlesSigterm = "env: [{name: SANDBOX_SHUTDOWN_SECONDS, value: '2'}]";

    private static string Web(string containers = "", int grace = 30, string env = HandlesSigterm) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: checkout-api, namespace: shop}
        spec:
          replicas: 1
          selector: {matchLabels: {app: checkout}}
          template:
            metadata: {labels: {app: checkout}}
            spec:
              terminationGracePeriodSeconds: {{{grace}}}
              containers:
              - name: api
                image: sandbox/checkout:1
                ports: [{containerPort: 8080}]
                lifecycle:
                  preStop: {sleep: {seconds: 5} }
                {{{env}}}
              {{{containers}}}
        """;

    private static async Task<(SandboxHarness Sandbox, string Pod)> RunningAsync(string manifest)
    {
        var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(manifest);
        sandbox.Control.ReconcileNow();
        Pass(sandbox, 5);
        return (sandbox, (string)sandbox.Control.List("v1", "Pod", "shop")[0]["metadata"]!["name"]!);
    }

    private static void Pass(SandboxHarness sandbox, int seconds)
    {
        sandbox.Time!.Advance(TimeSpan.FromSeconds(seconds));
        sandbox.Control.ReconcileNow();
    }

    private static string[] Lines(KubectlResult result) => result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task KubectlLogs_PodAndDeployment_StartedAndListening_WithTimestampsTailSinceAndLimitBytes()
    {
        var (sandbox, pod) = await RunningAsync(Web());
        await using var _ = sandbox;
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var started = (await kubectl.RunAsync("get", "pod", pod, "-n", "shop", "-o", "jsonpath={.status.containerStatuses[0].state.running.startedAt}")).StdOut;

        var byPod = await kubectl.RunAsync("logs", pod, "-n", "shop");
        var byDeployment = await kubectl.RunAsync("logs", "deploy/checkout-api", "-n", "shop");
        var stamped = await kubectl.RunAsync("logs", pod, "-n", "shop", "--timestamps");
        var tail = await kubectl.RunAsync("logs", pod, "-n", "shop", "--tail=1");
        var limited = await kubectl.RunAsync("logs", pod, "-n", "shop", "--limit-bytes=8");
        var recent = await kubectl.RunAsync("logs", pod, "-n", "shop", "--since=1h");
        var sinceTime = await kubectl.RunAsync("logs", pod, "-n", "shop", $"--since-time={started}");
        Pass(sandbox, 120);
        var sinceOneMinute = await kubectl.RunAsync("logs", pod, "-n", "shop", "--since=1m");

        Assert.Equal(["starting api (sandbox/checkout:1)", "listening on :8080, ready"], Lines(byPod));
        Assert.Equal(byPod.StdOut, byDeployment.StdOut);
        var stamp = started.Replace("Z", ".000000000Z", StringComparison.Ordinal);
        Assert.Equal([$"{stamp} starting api (sandbox/checkout:1)", $"{stamp} listening on :8080, ready"], Lines(stamped));
        Assert.Equal(["listening on :8080, ready"], Lines(tail));
        Assert.Equal("starting", limited.StdOut);
        Assert.Equal(byPod.StdOut, recent.StdOut);
        Assert.Equal(byPod.StdOut, sinceTime.StdOut);
        Assert.Equal("", sinceOneMinute.StdOut);
    }

    [Fact]
    public async Task KubectlLogsFollow_PrintsSigtermAndExit_EndsWhenThePodIsDeleted()
    {
        var (sandbox, pod) = await RunningAsync(Web());
        await using var _ = sandbox;
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        using var follow = kubectl.Start("logs", "-f", pod, "-n", "shop");
        try
        {
            using var timeout = new CancellationTokenSource(Patience.Of(30));
            string[] first = [await follow.StandardOutput.ReadLineAsync(timeout.Token) ?? "", await follow.StandardOutput.ReadLineAsync(timeout.Token) ?? ""];

            await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
            Pass(sandbox, 6); // the preStop sleep (5 s) is over: SIGTERM
            var sigterm = await follow.StandardOutput.ReadLineAsync(timeout.Token);
            Pass(sandbox, 1); // 2 s after SIGTERM the container exits 0 and the kubelet deletes the pod
            var exit = await follow.StandardOutput.ReadLineAsync(timeout.Token);
            var end = await follow.StandardOutput.ReadLineAsync(timeout.Token);
            await follow.WaitForExitAsync(timeout.Token);

            Assert.Equal(["starting api (sandbox/checkout:1)", "listening on :8080, ready"], first);
            Assert.Equal("received SIGTERM, draining connections for up to 2s", sigterm);
            Assert.Equal("exited with code 0", exit);
            Assert.Null(end);
            Assert.Equal(0, follow.ExitCode);
            Assert.Null(sandbox.Control.Get("v1", "Pod", "shop", pod));
        }
        finally
        {
            if (!follow.HasExited)
            {
                follow.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task KubectlLogs_ContainerIgnoringSigterm_KilledAtTheDeadline_LogKeptWhileFinalizersHoldThePod()
    {
        var (sandbox, pod) = await RunningAsync(Web(grace: 10, env: ""));
        await using var _ = sandbox;
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("patch", "pod", pod, "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":["example.com/hold"]}}""");

        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
        Pass(sandbox, 11); // SIGTERM after the 5 s preStop sleep, SIGKILL at the 10 s deadline
        var log = await kubectl.RunAsync("logs", pod, "-n", "shop", "--timestamps");

        Assert.Equal([
            "2026-05-01T12:00:05.000000000Z starting api (sandbox/checkout:1)",
            "2026-05-01T12:00:05.000000000Z listening on :8080, ready",
            "2026-05-01T12:00:10.000000000Z received SIGTERM, ignored (no SANDBOX_SHUTDOWN_SECONDS)",
            "2026-05-01T12:00:15.000000000Z killed (SIGKILL), exit code 137",
        ], Lines(log));
    }

    [Fact]
    public async Task Follow_IsAChunkedTextStream_EndedOnTheServerWhenTheClientLeaves()
    {
        var (sandbox, pod) = await RunningAsync(Web());
        await using var _ = sandbox;
        var watchesBefore = sandbox.Control.OpenWatches;
        string? first;
        using (var response = await sandbox.Http.GetAsync($"api/v1/namespaces/shop/pods/{pod}/log?follow=true", HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            first = await reader.ReadLineAsync();
            Assert.Equal((200, "text/plain", true), ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.TransferEncodingChunked));
        }

        using var timeout = new CancellationTokenSource(Patience.Of(20));
        while (sandbox.Control.OpenWatches > watchesBefore)
        {
            await Task.Delay(20, timeout.Token); // the follow's store subscription goes with the request
        }

        Assert.Equal("starting api (sandbox/checkout:1)", first);
    }

    [Fact]
    public async Task KubectlLogsPrevious_AfterARestartByTheStartFailureTrigger_ShowsTheExitedInstance()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "jobs");
        await kubectl.RunAsync("create", "deployment", "crash", "--image=busybox:1.36", "-n", "jobs", "--", "false");
        Pass(sandbox, 0);
        var pod = (await kubectl.RunAsync("get", "pods", "-n", "jobs", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;
        var creating = await kubectl.RunRawAsync("logs", pod, "-n", "jobs");
        Pass(sandbox, 5); // started and exited at once
        var firstRun = await kubectl.RunAsync("logs", pod, "-n", "jobs");
        var noPrevious = await kubectl.RunRawAsync("logs", pod, "-n", "jobs", "-p");
        Pass(sandbox, 1); // restarted, exited again
        var previous = await kubectl.RunAsync("logs", pod, "-n", "jobs", "-p", "--timestamps");

        Assert.Equal((1, $"Error from server (BadRequest): container \"busybox\" in pod \"{pod}\" is waiting to start: ContainerCreating"), // not started yet
            (creating.ExitCode, creating.StdErr.Trim()));
        Assert.Equal(["starting busybox (busybox:1.36)", "exited with code 1"], Lines(firstRun));
        Assert.Equal((1, $"Error from server (BadRequest): previous terminated container \"busybox\" in pod \"{pod}\" not found"),
            (noPrevious.ExitCode, noPrevious.StdErr.Trim()));
        Assert.Equal(2, Lines(previous).Length);
        Assert.All(Lines(previous), l => Assert.StartsWith("2026-05-01T12:00:05.000000000Z ", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_SeveralContainers_ContainerRequiredByTheApiserver_KubectlDashC_UnknownOnesNamed()
    {
        var (sandbox, pod) = await RunningAsync(Web("""
            - {name: sidecar, image: sandbox/envoy:1}
                  initContainers: [{name: migrate, image: sandbox/migrate:1}]
            """));
        await using var _ = sandbox;
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var (unnamedStatus, unnamed) = await sandbox.SendAsync(HttpMethod.Get, $"api/v1/namespaces/shop/pods/{pod}/log");
        var sidecar = await kubectl.RunAsync("logs", pod, "-n", "shop", "-c", "sidecar");
        var defaulted = await kubectl.RunAsync("logs", pod, "-n", "shop");
        var unknown = await kubectl.RunRawAsync("logs", pod, "-n", "shop", "-c", "nope");
        var (unknownStatus, unknownBody) = await sandbox.SendAsync(HttpMethod.Get, $"api/v1/namespaces/shop/pods/{pod}/log?container=nope");
        var (missingStatus, missing) = await sandbox.SendAsync(HttpMethod.Get, "api/v1/namespaces/shop/pods/nope/log");
        var (_, discovery) = await sandbox.SendAsync(HttpMethod.Get, "api/v1");
        var (putStatus, _) = await sandbox.SendAsync(HttpMethod.Put, $"api/v1/namespaces/shop/pods/{pod}/log", "{}");
        var (invalidStatus, invalid) = await sandbox.SendAsync(HttpMethod.Get, $"api/v1/namespaces/shop/pods/{pod}/log?container=api&sinceSeconds=0");

        Assert.Equal((400, $"a container name must be specified for pod {pod}, choose one of: [api sidecar] or one of the init containers: [migrate]"), (unnamedStatus, (string?)unnamed["message"]));
        Assert.Equal(["starting sidecar (sandbox/envoy:1)", "ready"], Lines(sidecar));
        Assert.Equal(("Defaulted container \"api\" out of: api, sidecar, migrate (init)", "starting api (sandbox/checkout:1)"), (defaulted.StdErr.Trim(), Lines(defaulted)[0])); // kubectl picks the first
        Assert.Equal((1, $"error: container nope is not valid for pod {pod}"), (unknown.ExitCode, unknown.StdErr.Trim())); // kubectl's own check
        Assert.Equal((400, $"container nope is not valid for pod {pod}"), (unknownStatus, (string?)unknownBody["message"]));
        Assert.Equal((404, "pods \"nope\" not found"), (missingStatus, (string?)missing["message"]));
        Assert.Contains(discovery["resources"]!.AsArray(), r => (string?)r!["name"] == "pods/log" && r["verbs"]!.AsArray().Select(v => (string?)v).SequenceEqual(["get"]));
        Assert.Equal(405, putStatus);
        Assert.Equal((422, $"PodLogOptions \"{pod}\" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0"), (invalidStatus, (string?)invalid["message"]));
    }
}
