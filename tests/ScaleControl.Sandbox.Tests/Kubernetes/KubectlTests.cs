using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>The real kubectl (on PATH) driven as a process against the sandbox through a generated kubeconfig.</summary>
public sealed class KubectlTests
{
    private const string DeploymentYaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels: {app: api}
          template:
            metadata:
              labels: {app: api}
            spec:
              containers:
              - name: api
                image: api:1
                ports:
                - containerPort: 8080
        """;

    [Fact]
    public async Task GetDeployments_AllNamespaces_PrintsServerSideTable()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3, readyReplicas: 2);
        sandbox.Control.SeedDeployment("ops", "db", 1, readyReplicas: 1);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var output = (await kubectl.RunAsync("get", "deploy", "-A")).StdOut;

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        Assert.Equal("NAMESPACE NAME READY UP-TO-DATE AVAILABLE AGE", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("shop web 2/3 2 2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ops db 1/1 1 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetRaw_WithPrettyOrFromCurl_IsIndentedAsTheApiserverWritesIt()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        using var curl = new HttpRequestMessage(HttpMethod.Get, "api/v1/namespaces/default");
        curl.Headers.UserAgent.ParseAdd("curl/8.11.1");

        var pretty = (await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default?pretty=true")).StdOut;
        var compact = (await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default")).StdOut;
        using var fromCurl = await sandbox.Http.SendAsync(curl);

        Assert.Contains("\n  \"metadata\": {\n    \"name\": \"default\",\n", pretty, StringComparison.Ordinal);
        Assert.Contains("\"metadata\":{\"name\":\"default\",", compact, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', compact.TrimEnd('\n'));
        Assert.Equal(pretty, await fromCurl.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetJson_Deployment_RoundTripsTheStoredObject()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var seeded = sandbox.Control.SeedDeployment("shop", "web", 3);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var json = JsonNode.Parse((await kubectl.RunAsync("get", "deployment", "web", "-n", "shop", "-o", "json")).StdOut)!;

        Assert.Equal(("Deployment", "apps/v1"), ((string?)json["kind"], (string?)json["apiVersion"]));
        Assert.Equal((string?)seeded["metadata"]!["uid"], (string?)json["metadata"]!["uid"]);
        Assert.Equal(3, (int)json["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task DescribeDeployment_ShowsEventsRecordedForItsUid()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var uid = (string)sandbox.Control.SeedDeployment("shop", "web", 3, readyReplicas: 3)["metadata"]!["uid"]!;
        await sandbox.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.18a1b2c3d4e5f607" },
            InvolvedObject = new V1ObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "web", NamespaceProperty = "shop", Uid = uid },
            Reason = "ScaledByScaleControl",
            Message = "Scaled from 2 to 4 replicas (proposal p-42)",
            Type = "Normal",
            Source = new V1EventSource { Component = "scalecontrol" },
            FirstTimestamp = new DateTime(2026, 5, 1, 11, 59, 0, DateTimeKind.Utc),
            LastTimestamp = new DateTime(2026, 5, 1, 11, 59, 0, DateTimeKind.Utc),
            Count = 1,
        }, "shop");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var output = (await kubectl.RunAsync("describe", "deployment", "web", "-n", "shop")).StdOut;

        Assert.Contains("Replicas:", output, StringComparison.Ordinal);
        Assert.Contains("ScaledByScaleControl", output, StringComparison.Ordinal);
        Assert.Contains("Scaled from 2 to 4 replicas (proposal p-42)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_Deployment_PatchesTheScaleSubresource()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var output = (await kubectl.RunAsync("scale", "deploy/web", "-n", "shop", "--replicas=7")).StdOut;

        Assert.Contains("deployment.apps/web scaled", output, StringComparison.Ordinal);
        Assert.Equal(7, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
        Assert.Contains(sandbox.Control.Journal, e => e is { Verb: "patch", Resource: "deployments/scale" } && e.ContentType == "application/merge-patch+json");
    }

    [Fact]
    public async Task Apply_DeploymentTwice_CreatesThenStrategicMergePatches()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");

        var created = await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("v1.yaml", DeploymentYaml));
        var configured = await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("v2.yaml", DeploymentYaml.Replace("image: api:1", "image: api:2", StringComparison.Ordinal)));

        Assert.Contains("deployment.apps/api created", created.StdOut, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/api configured", configured.StdOut, StringComparison.Ordinal);
        var stored = sandbox.Control.Get("apps/v1", "Deployment", "shop", "api")!;
        var container = stored["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal(("api:2", 8080), ((string?)container["image"], (int)container["ports"]![0]!["containerPort"]!));
        Assert.NotNull(stored["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);
        Assert.Equal(2, (int)stored["metadata"]!["generation"]!);
        Assert.Contains(sandbox.Control.Journal, e => e is { Verb: "patch", Resource: "deployments" } && e.ContentType == "application/strategic-merge-patch+json");
    }

    [Fact]
    public async Task ApplyDryRunServer_Deployment_LeavesTheClusterUnchanged()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        var version = sandbox.Control.ResourceVersion;

        var result = await kubectl.RunAsync("apply", "--dry-run=server", "-f", kubectl.WriteFile("d.yaml", DeploymentYaml));

        Assert.Contains("deployment.apps/api created (server dry run)", result.StdOut, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "api"));
        Assert.Equal(version, sandbox.Control.ResourceVersion);
    }

    [Fact]
    public async Task ApplyServerSide_Deployment_SendsApplyPatchWithFieldManager()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunAsync("apply", "--server-side", "-f", kubectl.WriteFile("d.yaml", DeploymentYaml));

        Assert.Contains("serverside-applied", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(2, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["replicas"]!);
        Assert.Contains(sandbox.Control.Journal, e => e.ContentType == "application/apply-patch+yaml" && e.Query.Contains("fieldManager=kubectl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApplyCrdThenCustomResource_GetListsItWithPrinterColumns()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");

        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("crd.yaml", CustomResourceTests.ScalePolicyCrd));
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("sp.yaml", """
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata: {name: checkout, namespace: shop}
            spec: {target: checkout-api, min: 2}
            """));
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("sp2.yaml", """
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata: {name: checkout, namespace: shop}
            spec: {target: checkout-api, min: 3}
            """));
        var table = (await kubectl.RunAsync("get", "scalepolicies", "-A")).StdOut;
        var shortName = (await kubectl.RunAsync("get", "sp", "checkout", "-n", "shop", "-o", "jsonpath={.spec.min}")).StdOut;

        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        Assert.Equal("NAMESPACE NAME TARGET AGE", lines[0]);
        Assert.StartsWith("shop checkout checkout-api", lines[1], StringComparison.Ordinal);
        Assert.Equal("3", shortName);
        Assert.Contains(sandbox.Control.Journal, e => e is { Verb: "patch", Resource: "scalepolicies" } && e.ContentType == "application/merge-patch+json");
    }

    [Fact]
    public async Task GetWatch_ReadsAChangeMadeThroughTheApi()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        using var process = kubectl.Start("get", "deploy", "-n", "shop", "-w", "-o", "jsonpath={.metadata.name}={.spec.replicas}{\"\\n\"}");
        try
        {
            using var timeout = new CancellationTokenSource(Patience.Of(10));
            var first = await process.StandardOutput.ReadLineAsync(timeout.Token);
            while (sandbox.Control.OpenWatches == 0)
            {
                await Task.Delay(20, timeout.Token);
            }

            await sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch(new { spec = new { replicas = 6 } }, V1Patch.PatchType.MergePatch), "web", "shop");
            var second = await process.StandardOutput.ReadLineAsync(timeout.Token);

            Assert.Equal(("web=3", "web=6"), (first, second));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Kubectl_AgainstApiMountedUnderPrefix_GetsAndApplies()
    {
        const string Prefix = "/mounted/k8s";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSandboxKubernetes(o => o.RunControllerLoop = false);
        await using var app = builder.Build();
        app.MapSandboxKubernetes(Prefix);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var control = app.Services.GetRequiredService<SandboxKubernetesControl>();
        control.SeedDeployment("shop", "web", 2);
        using var kubectl = new Kubectl(new Uri(address + Prefix));

        var get = await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "name");
        var apply = await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("d.yaml", DeploymentYaml));

        Assert.Equal("deployment.apps/web", get.StdOut.Trim());
        Assert.Contains("deployment.apps/api created", apply.StdOut, StringComparison.Ordinal);
        Assert.All(control.Journal, e => Assert.StartsWith(Prefix + "/", e.Path, StringComparison.Ordinal));
        await app.StopAsync();
    }
}
