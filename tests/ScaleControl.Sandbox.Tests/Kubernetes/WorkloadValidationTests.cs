using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// What kube-apiserver refuses in a workload's spec, through the real kubectl: a selector missing, empty or not
/// matching the template's labels, a template without containers. Nothing is stored, and a valid apply still works.
/// </summary>
public sealed class WorkloadValidationTests
{
    [Fact]
    public async Task Apply_DeploymentWhoseSelectorDoesNotMatchItsTemplate_Is422AndStoresNothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: api, tier: front}}
                spec:
                  containers: [{name: web, image: "web:1"}]
            """));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("""The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"api", "tier":"front"}: `selector` does not match template `labels`""",
            result.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "default", "web"));
    }

    [Fact]
    public async Task Apply_DeploymentWithoutSelectorOrStatefulSetWithoutContainers_Is422WithEachField()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var deployment = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "web:1"}]
            """));
        var statefulSet = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("db.yaml", """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              selector: {matchLabels: {}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  restartPolicy: Never
            """));

        Assert.Contains("""The Deployment "web" is invalid: spec.selector: Required value""", deployment.StdErr, StringComparison.Ordinal);
        Assert.Contains("* spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset",
            statefulSet.StdErr, StringComparison.Ordinal);
        Assert.Contains("* spec.template.spec.containers: Required value", statefulSet.StdErr, StringComparison.Ordinal);
        Assert.Contains("""* spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""", statefulSet.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "default", "web"));
        Assert.Null(sandbox.Control.Get("apps/v1", "StatefulSet", "default", "db"));
    }

    [Fact]
    public async Task Apply_ReplicaSetOrDeploymentThatDoesNotRestartAlways_Is422AsTheApiserverSays()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var replicaSet = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("front.yaml", """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: front, namespace: default}
            spec:
              minReadySeconds: -3
              selector: {matchLabels: {app: front}}
              template:
                metadata: {labels: {app: front}}
                spec:
                  restartPolicy: Never
                  containers: [{name: front, image: "front:1"}]
            """));
        var deployment = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  restartPolicy: OnFailure
                  containers: [{name: web, image: "web:1"}]
            """));

        Assert.Contains("""The ReplicaSet "front" is invalid: """, replicaSet.StdErr, StringComparison.Ordinal);
        Assert.Contains("* spec.minReadySeconds: Invalid value: -3: must be greater than or equal to 0", replicaSet.StdErr, StringComparison.Ordinal);
        Assert.Contains("""* spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""", replicaSet.StdErr, StringComparison.Ordinal);
        Assert.Contains("""The Deployment "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always""", deployment.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("apps/v1", "ReplicaSet", "default", "front"));
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "default", "web"));
    }

    [Fact]
    public async Task Apply_DeploymentWithAChangedSelector_Is422FieldIsImmutable()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        const string Manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: APP}}
              template:
                metadata: {labels: {app: APP}}
                spec:
                  containers: [{name: web, image: "web:1"}]
            """;
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("web.yaml", Manifest.Replace("APP", "web", StringComparison.Ordinal)));

        var result = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("web.yaml", Manifest.Replace("APP", "web2", StringComparison.Ordinal)));

        Assert.Contains("""The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable""",
            result.StdErr, StringComparison.Ordinal);
        Assert.Equal("web", (string?)sandbox.Control.Get("apps/v1", "Deployment", "default", "web")!["spec"]!["selector"]!["matchLabels"]!["app"]);
    }

    [Fact]
    public async Task Apply_StatefulSetWithAChangedServiceName_Is422ForbiddenAndKeepsTheOld()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        const string Manifest = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              serviceName: SERVICE
              replicas: REPLICAS
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: "IMAGE"}]
            """;
        string Render(string service, int replicas, string image) => Manifest.Replace("SERVICE", service, StringComparison.Ordinal)
            .Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("db.yaml", Render("db", 1, "db:1")));

        var allowed = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("db.yaml", Render("db", 3, "db:2")));
        var forbidden = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("db.yaml", Render("db-headless", 3, "db:2")));

        Assert.True(allowed.ExitCode == 0, allowed.StdErr); // replicas and template may change
        Assert.NotEqual(0, forbidden.ExitCode);
        Assert.Contains("""The StatefulSet "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden""",
            forbidden.StdErr, StringComparison.Ordinal);
        var stored = sandbox.Control.Get("apps/v1", "StatefulSet", "default", "db")!;
        Assert.Equal(("db", 3), ((string?)stored["spec"]!["serviceName"], (int?)stored["spec"]!["replicas"]));
    }

    [Fact]
    public async Task Apply_ValidDeploymentWithMatchExpressions_IsCreated()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector:
                matchLabels: {app: web}
                matchExpressions: [{key: tier, operator: In, values: [front, edge]}]
              template:
                metadata: {labels: {app: web, tier: edge}}
                spec:
                  containers: [{name: web, image: "web:1"}]
            """));

        Assert.NotNull(sandbox.Control.Get("apps/v1", "Deployment", "default", "web"));
    }
}
