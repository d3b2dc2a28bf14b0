using System.Net;
using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Create/read/update/patch/delete semantics, checked with KubernetesClient 21.0.8 over real HTTP.</summary>
public sealed class ObjectApiTests
{
    private static V1Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = name, Image = $"{name}:1" }] },
            },
        },
    };

    [Fact]
    public async Task Create_NewDeployment_Returns201WithServerAssignedMetadata()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var before = sandbox.Control.ResourceVersion;

        using var response = await sandbox.Client.AppsV1.CreateNamespacedDeploymentWithHttpMessagesAsync(Deployment("web", 2), "shop");

        Assert.Equal(HttpStatusCode.Created, response.Response.StatusCode);
        var created = response.Body;
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.Equal(1, created.Metadata.Generation);
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.True(long.Parse(created.Metadata.ResourceVersion) > before);
        Assert.Equal("shop", created.Metadata.NamespaceProperty);
        Assert.NotNull(sandbox.Control.Get("v1", "Namespace", "", "shop")); // namespace created on first use
    }

    [Fact]
    public async Task Create_ExistingName_Returns409AlreadyExists()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        await sandbox.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 2), "shop");

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 3), "shop"));

        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("deployments.apps \"web\" already exists", status.Message);
    }

    [Fact]
    public async Task Create_WithPresetResourceVersion_Returns400()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        var deployment = Deployment("web", 2);
        deployment.Metadata.ResourceVersion = "7";

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "shop"));

        Assert.Equal(HttpStatusCode.BadRequest, ex.Response.StatusCode);
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web"));
    }

    [Fact]
    public async Task ReadScale_ExistingDeployment_ReusesParentUidAndResourceVersion()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        var deployment = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");

        var scale = await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");

        Assert.Equal("autoscaling/v1", scale.ApiVersion);
        Assert.Equal(deployment.Metadata.Uid, scale.Metadata.Uid);
        Assert.Equal(deployment.Metadata.ResourceVersion, scale.Metadata.ResourceVersion);
        Assert.Equal(3, scale.Spec.Replicas);
        Assert.Equal("app=web", scale.Status.Selector);
    }

    [Fact]
    public async Task ReplaceScale_StaleResourceVersion_Returns409WithExactConflictStatus()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        var scale = await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");
        await sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch(new { spec = new { replicas = 4 } }, V1Patch.PatchType.MergePatch), "web", "shop");

        scale.Spec.Replicas = 9;
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", "shop"));

        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409}""",
            ex.Response.Content);
        Assert.Equal(4, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task ReplaceScale_CurrentResourceVersion_WritesReplicasAndBumpsGeneration()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        var scale = await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");

        scale.Spec.Replicas = 6;
        var written = await sandbox.Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", "shop");

        var deployment = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
        Assert.Equal(6, deployment.Spec.Replicas);
        Assert.Equal(2, deployment.Metadata.Generation);
        Assert.Equal(deployment.Metadata.ResourceVersion, written.Metadata.ResourceVersion);
        Assert.True(long.Parse(written.Metadata.ResourceVersion) > long.Parse(scale.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task PatchScale_NegativeReplicas_Returns422InvalidWithCause()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":-1}]""", V1Patch.PatchType.JsonPatch), "web", "shop"));

        Assert.Equal((HttpStatusCode)422, ex.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        Assert.Equal("Invalid", status.Reason);
        Assert.Equal("Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0", status.Message);
        var cause = Assert.Single(status.Details.Causes);
        Assert.Equal(("FieldValueInvalid", "spec.replicas"), (cause.Reason, cause.Field));
        Assert.Equal(3, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task MergePatch_StaleResourceVersionInMetadata_IsAPrecondition()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var seeded = sandbox.Control.SeedDeployment("shop", "web", 3);
        var staleVersion = (string)seeded["metadata"]!["resourceVersion"]!;
        sandbox.Control.SeedDeployment("shop", "web", 4);

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(new { metadata = new { resourceVersion = staleVersion }, spec = new { replicas = 5 } }, V1Patch.PatchType.MergePatch), "web", "shop"));

        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
    }

    [Fact]
    public async Task PatchScale_DryRunAll_ReturnsResultButStoresNothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        var version = sandbox.Control.ResourceVersion;

        var preview = await sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch(new { spec = new { replicas = 8 } }, V1Patch.PatchType.MergePatch), "web", "shop", dryRun: "All");
        var invalid = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch(new { spec = new { replicas = -1 } }, V1Patch.PatchType.MergePatch), "web", "shop", dryRun: "All"));

        Assert.Equal(8, preview.Spec.Replicas);
        Assert.Equal((HttpStatusCode)422, invalid.Response.StatusCode);
        Assert.Equal(version, sandbox.Control.ResourceVersion);
        Assert.Equal(3, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task Read_UnknownDeployment_Returns404NotFoundStatus()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("ghost", "shop"));

        Assert.Equal(HttpStatusCode.NotFound, ex.Response.StatusCode);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"ghost\" not found","reason":"NotFound","details":{"name":"ghost","group":"apps","kind":"deployments"},"code":404}""",
            ex.Response.Content);
    }

    [Theory]
    [InlineData("apis/apps/v1/namespaces/shop/widgets")]
    [InlineData("apis/nope.example.com/v1")]
    [InlineData("no/such/path")]
    [InlineData("apis/apps/v1/namespaces/shop/deployments/web/exec")]
    public async Task Get_UnknownPath_Returns404Status(string path)
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);

        var (status, body) = await sandbox.SendAsync(HttpMethod.Get, path);

        Assert.Equal(404, status);
        Assert.Equal(("Status", "NotFound", 404), ((string?)body["kind"], (string?)body["reason"], (int)body["code"]!));
    }

    [Fact]
    public async Task Patch_UnknownContentType_Returns415()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);

        var (status, body) = await sandbox.SendAsync(HttpMethod.Patch, "apis/apps/v1/namespaces/shop/deployments/web", """{"spec":{"replicas":2}}""", "text/plain");

        Assert.Equal(415, status);
        Assert.Equal("UnsupportedMediaType", (string?)body["reason"]);
    }

    [Fact]
    public async Task Patch_StrategicMergeOnCustomResource_Returns415()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(CustomResourceTests.ScalePolicyCrd);
        sandbox.Control.Seed("""{"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"p","namespace":"shop"},"spec":{"min":1}}""");

        var (status, _) = await sandbox.SendAsync(HttpMethod.Patch, "apis/scalecontrol.io/v1alpha1/namespaces/shop/scalepolicies/p",
            """{"spec":{"min":2}}""", "application/strategic-merge-patch+json");

        Assert.Equal(415, status);
    }

    [Fact]
    public async Task KubectlPatch_CustomResourceWithTheDefaultStrategicMergePatch_IsRefusedInTheApiserversWords()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(CustomResourceTests.ScalePolicyCrd);
        sandbox.Control.Seed("""{"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"p","namespace":"shop"},"spec":{"min":1}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var refused = await kubectl.RunRawAsync("patch", "scalepolicy", "p", "-n", "shop", "-p", """{"spec":{"min":2}}""");
        var merged = await kubectl.RunAsync("patch", "scalepolicy", "p", "-n", "shop", "--type=merge", "-p", """{"spec":{"min":2}}""");

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(
            "error: application/strategic-merge-patch+json is not supported by scalecontrol.io/v1alpha1, Kind=ScalePolicy: the body of the request "
            + "was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
            refused.StdErr.Trim());
        Assert.Equal("scalepolicy.scalecontrol.io/p patched\n", merged.StdOut);
    }

    [Fact]
    public async Task ApplyPatch_WithoutFieldManager_Returns422()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}""", V1Patch.PatchType.ApplyPatch), "web", "shop"));

        Assert.Equal((HttpStatusCode)422, ex.Response.StatusCode);
        Assert.Contains("fieldManager: Required value: is required for apply patch", ex.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyPatch_YamlForMissingObject_CreatesItWith201()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await sandbox.SendAsync(HttpMethod.Patch, "apis/apps/v1/namespaces/shop/deployments/web?fieldManager=test",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
            + "  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: \"web:1\"}]}\n", "application/apply-patch+yaml");

        Assert.Equal(201, status);
        Assert.Equal(2, (int)body["spec"]!["replicas"]!);
        Assert.Equal("shop", (string?)body["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task StrategicMergePatch_ContainerByName_KeepsOtherFields()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        await sandbox.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), "shop");

        var patched = await sandbox.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"name":"web","env":[{"name":"A","value":"1"}]}]}}}}""",
            V1Patch.PatchType.StrategicMergePatch), "web", "shop");

        var container = Assert.Single(patched.Spec.Template.Spec.Containers);
        Assert.Equal("web:1", container.Image);
        Assert.Equal("A", Assert.Single(container.Env).Name);
        Assert.Equal(2, patched.Metadata.Generation);
    }

    [Fact]
    public async Task Replace_StatusOnMainResource_IsIgnoredButStatusSubresourceWritesIt()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        await sandbox.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), "shop");
        var current = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");

        current.Status = new V1DeploymentStatus { ReadyReplicas = 7 };
        var replaced = await sandbox.Client.AppsV1.ReplaceNamespacedDeploymentAsync(current, "web", "shop");
        Assert.Null(replaced.Status?.ReadyReplicas);
        Assert.Equal(1, replaced.Metadata.Generation); // no spec change, no new generation

        replaced.Status = new V1DeploymentStatus { ReadyReplicas = 7 };
        var withStatus = await sandbox.Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(replaced, "web", "shop");
        Assert.Equal(7, withStatus.Status.ReadyReplicas);
    }

    [Fact]
    public async Task Replace_NameDifferentFromUrl_Returns400()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        await sandbox.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", 1), "shop");

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.ReplaceNamespacedDeploymentAsync(Deployment("other", 1), "web", "shop"));

        Assert.Equal(HttpStatusCode.BadRequest, ex.Response.StatusCode);
    }

    [Theory]
    [InlineData(0, 5, "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1")]
    [InlineData(5, 2, "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`")]
    public async Task PatchHpa_InvalidBounds_Returns422(int min, int max, string expected)
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web", "web", 2, 10);

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(
            new V1Patch(new { spec = new { minReplicas = min, maxReplicas = max } }, V1Patch.PatchType.MergePatch), "web", "shop"));

        Assert.Equal((HttpStatusCode)422, ex.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        Assert.Equal($"HorizontalPodAutoscaler.autoscaling \"web\" is invalid: {expected}", status.Message);
        var hpa = await sandbox.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", "shop");
        Assert.Equal((2, 10), (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));
    }

    [Fact]
    public async Task List_LabelSelectors_FilterAndReportListResourceVersion()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1, labels: new Dictionary<string, string> { ["tier"] = "web", ["scaled"] = "yes" });
        sandbox.Control.SeedDeployment("shop", "b", 1, labels: new Dictionary<string, string> { ["tier"] = "api" });
        sandbox.Control.SeedDeployment("shop", "c", 1, labels: new Dictionary<string, string> { ["tier"] = "db" });

        async Task<string> Names(string selector) => string.Join(",",
            (await sandbox.Client.AppsV1.ListNamespacedDeploymentAsync("shop", labelSelector: selector)).Items.Select(d => d.Metadata.Name));

        Assert.Equal("a", await Names("tier=web"));
        Assert.Equal("b,c", await Names("tier!=web"));
        Assert.Equal("a,b", await Names("tier in (web,api)"));
        Assert.Equal("c", await Names("tier notin (web,api)"));
        Assert.Equal("a", await Names("scaled"));
        Assert.Equal("b,c", await Names("!scaled"));
        Assert.Equal("b", await Names("tier in (api, db),app=b"));
        var list = await sandbox.Client.AppsV1.ListDeploymentForAllNamespacesAsync();
        Assert.Equal(sandbox.Control.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), list.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Delete_Deployment_ReturnsSuccessStatusAndRemovesIt()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var uid = (string)sandbox.Control.SeedDeployment("shop", "web", 1)["metadata"]!["uid"]!;

        var status = await sandbox.Client.AppsV1.DeleteNamespacedDeploymentAsync("web", "shop");

        Assert.Equal(("Success", uid), (status.Status, status.Details.Uid));
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web"));
    }

    [Fact]
    public async Task ListEvents_FieldSelectorOnInvolvedObject_ReturnsOnlyThatObjectsEvents()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var uid = (string)sandbox.Control.SeedDeployment("shop", "web", 1)["metadata"]!["uid"]!;
        foreach (var (name, target, targetUid) in new[] { ("e1", "web", uid), ("e2", "web", "other-uid"), ("e3", "api", uid) })
        {
            await sandbox.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name },
                InvolvedObject = new V1ObjectReference { Kind = "Deployment", Name = target, NamespaceProperty = "shop", Uid = targetUid },
                Reason = "ScaledByScaleControl",
                Message = "Scaled from 2 to 4 replicas",
                Type = "Normal",
            }, "shop");
        }

        var events = await sandbox.Client.CoreV1.ListNamespacedEventAsync("shop",
            fieldSelector: $"involvedObject.name=web,involvedObject.namespace=shop,involvedObject.kind=Deployment,involvedObject.uid={uid}");

        Assert.Equal("e1", Assert.Single(events.Items).Metadata.Name);
    }

    [Fact]
    public async Task CreateEventsV1_ValidEvent_IsVisibleAsCoreEventWithInvolvedObject()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        await sandbox.Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" },
            Regarding = new V1ObjectReference { Kind = "Deployment", Name = "web", NamespaceProperty = "shop" },
            EventTime = new DateTime(2026, 5, 1, 12, 0, 0, DateTimeKind.Utc),
            ReportingController = "scalecontrol",
            ReportingInstance = "scalecontrol-0",
            Action = "Scale",
            Reason = "ScaledByScaleControl",
            Note = "Scaled from 2 to 4 replicas",
            Type = "Normal",
        }, "shop");

        var core = await sandbox.Client.CoreV1.ReadNamespacedEventAsync("web.1", "shop");
        Assert.Equal(("web", "Scaled from 2 to 4 replicas", "scalecontrol"), (core.InvolvedObject.Name, core.Message, core.ReportingComponent));
    }

    [Fact]
    public async Task CreateEventsV1_WithDeprecatedCountAndNoAction_Returns422()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.2" },
            EventTime = new DateTime(2026, 5, 1, 12, 0, 0, DateTimeKind.Utc),
            ReportingController = "scalecontrol",
            ReportingInstance = "scalecontrol-0",
            Reason = "ScaledByScaleControl",
            Type = "Normal",
            DeprecatedCount = 1,
        }, "shop"));

        Assert.Equal((HttpStatusCode)422, ex.Response.StatusCode);
        var causes = KubernetesJson.Deserialize<V1Status>(ex.Response.Content).Details.Causes.Select(c => c.Field).ToList();
        Assert.Equal(["action", "deprecatedCount"], causes);
    }

    [Fact]
    public async Task PythonClient_BodyOfAnotherNamespaceOrApiVersion_Is400AndChangesNothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2);
        var before = sandbox.Control.ResourceVersion;
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var output = await Python.RunAsync(kubectl.KubeconfigPath, """
            import json
            from kubernetes.client.rest import ApiException
            apps = client.AppsV1Api()
            def attempt(call):
                try:
                    call()
                    print("accepted")
                except ApiException as e:
                    print(e.status, json.loads(e.body)["message"])
            web = apps.read_namespaced_deployment("web", "shop")
            web.metadata.namespace = "feed"
            attempt(lambda: apps.replace_namespaced_deployment("web", "shop", web))
            attempt(lambda: apps.patch_namespaced_deployment("web", "shop", {"metadata": {"namespace": "feed"}}))
            attempt(lambda: apps.create_namespaced_deployment("shop", {"apiVersion": "apps/v1beta2", "kind": "Deployment", "metadata": {"name": "old"}}))
            """);

        Assert.Equal(
        [
            "400 the namespace of the object (feed) does not match the namespace on the request (shop)",
            "400 the namespace of the object (feed) does not match the namespace on the request (shop)",
            "400 the API version in the data (apps/v1beta2) does not match the expected API version (apps/v1)",
        ], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(before, sandbox.Control.ResourceVersion);
    }

    [Fact]
    public async Task Discovery_ListsScaleAndStatusSubresources()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await sandbox.SendAsync(HttpMethod.Get, "apis/apps/v1");

        Assert.Equal(200, status);
        var resources = body["resources"]!.AsArray().Select(r => r!.AsObject()).ToDictionary(r => (string)r["name"]!);
        Assert.Equal("Scale", (string?)resources["deployments/scale"]["kind"]);
        Assert.Equal("autoscaling", (string?)resources["deployments/scale"]["group"]);
        Assert.Contains("statefulsets/scale", resources.Keys);
        Assert.Contains("deployments/status", resources.Keys);
        Assert.Equal(JsonNode.Parse("""["deploy"]"""), resources["deployments"]["shortNames"], JsonNode.DeepEquals);
    }
}
