using System.Text.RegularExpressions;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl status</c> under the table: why READY is below CURRENT, in the scheduler's words, for pods that wait for
/// a node. The real server in sandbox mode, a Deployment applied with real kubectl whose pods fit on no node.
/// </summary>
[Collection(CliSandboxCollection.Name)]
public sealed partial class StatusNotReadyTests(CliSandbox server)
{
    private const string Ns = "clipending";

    // Each pod asks for more CPU than any sandbox node has: the scheduler leaves both Pending.
    private const string Manifests = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: report-builder, namespace: clipending}
        spec:
          replicas: 2
          selector: {matchLabels: {app: report-builder}}
          template:
            metadata: {labels: {app: report-builder}}
            spec:
              containers:
                - name: builder
                  image: sandbox/report-builder:1
                  resources: {requests: {cpu: "64", memory: 256Mi}}
        ---
        apiVersion: scalecontrol.io/v1alpha1
        kind: ScalePolicy
        metadata: {name: report-builder, namespace: clipending}
        spec:
          target: {kind: Deployment, name: report-builder}
          metrics:
            - name: qps
              query: sum(rate(http_requests_total{service="report-builder"}[1m]))
              target: 100
          minReplicas: 2
          maxReplicas: 2
          mode: Auto
        """;

    [Fact]
    public async Task Status_PodsThatFitOnNoNode_ShowTheSchedulersReasonUnderTheTable_Within100Columns()
    {
        await server.KubectlAsync("create", "namespace", Ns);
        var file = Path.Combine(Path.GetTempPath(), $"scalectl-pending-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, Manifests);
        try
        {
            await server.KubectlAsync("apply", "-f", file); // a failure throws with kubectl's own words
        }
        finally
        {
            File.Delete(file);
        }

        var result = await CliSandbox.EventuallyAsync(async () =>
        {
            var run = await server.Cli(CliSandbox.ViewerToken).RunAsync("status", "-n", Ns);
            // Until the scheduler has tried them the pods read "starting (not yet Ready)" (seen under load): wait for its word.
            return run.ExitCode == 0 && run.Output.Contains("NOT READY", StringComparison.Ordinal) && run.Output.Contains("pods Pending: ", StringComparison.Ordinal) ? run : null;
        }, TimeSpan.FromSeconds(30), "status to explain the Pending pods");

        var output = result.Output.Split('\n');
        var section = output.SkipWhile(l => l != "NOT READY").Skip(1).TakeWhile(l => l.Length > 0).ToList();
        Assert.All(section, l => Assert.True(l.Length <= 100, $"{l.Length} columns: {l}"));
        var label = $"{Ns}/report-builder   ";
        Assert.StartsWith($"{label}2 of 2 pods Pending: 0/", section[0], StringComparison.Ordinal);
        Assert.All(section.Skip(1), l => Assert.StartsWith(new string(' ', label.Length), l, StringComparison.Ordinal));
        var said = string.Join(" ", section.Select(l => l[label.Length..]));
        Assert.Matches(SchedulerMessage(), said);
        // -n names the namespace: no NAMESPACE column, as kubectl.
        Assert.StartsWith("NAME ", Assert.Single(result.Lines, l => l.Contains(" TARGET ", StringComparison.Ordinal)), StringComparison.Ordinal);
        var row = Assert.Single(result.Lines, l => l.StartsWith("report-builder ", StringComparison.Ordinal));
        Assert.Matches(@"^report-builder\s+Deployment/report-builder\s+Auto\s+0\s+2\s", row);
    }

    [GeneratedRegex(@"^2 of 2 pods Pending: 0/(\d+) nodes are available: \1 Insufficient cpu\. preemption: 0/\1 nodes are available: \1 No preemption victims found for incoming pod\.$")]
    private static partial Regex SchedulerMessage();
}
