using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The apiserver's defaults on workload pod templates, seen through real kubectl: <c>get -o json</c> shows them and
/// <c>kubectl diff</c> of the applied manifest (client- or server-side) is empty, a changed one shows only the change.
/// </summary>
public sealed class PodTemplateDefaultsTests
{
    private const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: registry.local:5000/web
                ports: [{containerPort: 8080}]
                readinessProbe: {httpGet: {port: 8080}}
                env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
                volumeMounts: [{name: config, mountPath: /etc/web}]
              - {name: side, image: "side:1.2"}
              volumes: [{name: config, configMap: {name: web}}]
        """;

    private const string Db = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: shop}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: "db:latest", ports: [{containerPort: 5432}]}, {name: backup, image: "backup:2"}]
        """;

    [Fact]
    public async Task GetDeployment_AfterApply_ShowsTheApiserversDefaults()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("web.yaml", Web));
        var web = JsonNode.Parse((await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "json")).StdOut)!;
        var spec = web["spec"]!;
        var pod = spec["template"]!["spec"]!;
        var containers = pod["containers"]!.AsArray();

        Assert.Equal("""{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"}""", Sorted(spec["strategy"]));
        Assert.Equal((1, 10, 600), ((int)spec["replicas"]!, (int)spec["revisionHistoryLimit"]!, (int)spec["progressDeadlineSeconds"]!));
        Assert.Equal(("Always", "ClusterFirst", "default-scheduler", 30, "{}"),
            ((string?)pod["restartPolicy"], (string?)pod["dnsPolicy"], (string?)pod["schedulerName"], (int)pod["terminationGracePeriodSeconds"]!, pod["securityContext"]!.ToJsonString()));
        Assert.Equal(["Always", "IfNotPresent"], containers.Select(c => (string?)c!["imagePullPolicy"]));
        Assert.All(containers, c => Assert.Equal(("/dev/termination-log", "File", "{}"),
            ((string?)c!["terminationMessagePath"], (string?)c["terminationMessagePolicy"], c["resources"]!.ToJsonString())));
        Assert.Equal("TCP", (string?)containers[0]!["ports"]![0]!["protocol"]);
        Assert.Equal("""{"failureThreshold":3,"httpGet":{"path":"/","port":8080,"scheme":"HTTP"},"periodSeconds":10,"successThreshold":1,"timeoutSeconds":1}""",
            Sorted(containers[0]!["readinessProbe"]));
        Assert.Equal("v1", (string?)containers[0]!["env"]![0]!["valueFrom"]!["fieldRef"]!["apiVersion"]);
        Assert.Equal(420, (int)pod["volumes"]![0]!["configMap"]!["defaultMode"]!);
    }

    [Fact]
    public async Task KubectlDiff_OfTheAppliedManifest_IsEmptyAndAChangeShowsOnlyItself()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var web = kubectl.WriteFile("web.yaml", Web);
        var db = kubectl.WriteFile("db.yaml", Db);
        var newImage = kubectl.WriteFile("web2.yaml", Web.Replace("side:1.2", "side:1.3", StringComparison.Ordinal));
        var dbAlone = kubectl.WriteFile("db2.yaml", Db.Replace(", {name: backup, image: \"backup:2\"}", "", StringComparison.Ordinal));

        await kubectl.RunAsync("apply", "-f", web);
        await kubectl.RunAsync("apply", "--server-side", "-f", db);
        var clientSide = await kubectl.RunRawAsync("diff", "-f", web);
        var serverSide = await kubectl.RunRawAsync("diff", "--server-side", "-f", db);
        var changed = await kubectl.RunRawAsync("diff", "-f", newImage);
        // Dropping a container from the applied manifest removes it whole, defaults and all.
        await kubectl.RunAsync("apply", "--server-side", "-f", dbAlone);
        var dbContainers = (await kubectl.RunAsync("get", "sts", "db", "-n", "shop", "-o", "jsonpath={.spec.template.spec.containers[*].name}")).StdOut;
        var afterDrop = await kubectl.RunRawAsync("diff", "--server-side", "-f", dbAlone);
        var changedLines = changed.StdOut.Split('\n')
            .Where(l => l.Length > 1 && l[0] is '+' or '-' && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal))
            .Select(l => l[0] + l[1..].Trim())
            .ToList();

        Assert.Equal((0, ""), (clientSide.ExitCode, clientSide.StdOut + clientSide.StdErr));
        Assert.Equal((0, ""), (serverSide.ExitCode, serverSide.StdOut + serverSide.StdErr));
        Assert.Equal("db", dbContainers);
        Assert.Equal((0, ""), (afterDrop.ExitCode, afterDrop.StdOut + afterDrop.StdErr));
        Assert.Equal(1, changed.ExitCode);
        Assert.Equal(["-generation: 1", "+generation: 2", "-- image: side:1.2", "+- image: side:1.3"],
            changedLines.Where(l => !l.Contains("last-applied-configuration", StringComparison.Ordinal)
                && !l.StartsWith("-{\"apiVersion\"", StringComparison.Ordinal) && !l.StartsWith("+{\"apiVersion\"", StringComparison.Ordinal)));
    }

    private static string Sorted(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(',', o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":{Sorted(kv.Value)}")) + "}",
        _ => node?.ToJsonString() ?? "null",
    };
}
