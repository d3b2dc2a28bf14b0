using System.Text.Json.Nodes;

using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>What a real apiserver refuses: CRD schema violations (422 with paths), unknown fields under Strict, missing namespaces.</summary>
public sealed class ValidationTests
{
    private const string BadPolicy = """
        apiVersion: scalecontrol.io/v1alpha1
        kind: ScalePolicy
        metadata: {name: broken, namespace: shop}
        spec:
          minReplicas: "two"
          maxReplicas: 5
          mode: Bogus
          colour: blue
        """;

    [Fact]
    public async Task InvalidScalePolicy_IsRefusedWith422AndFieldPaths()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(File.ReadAllText(Charts("scalepolicies.yaml")));
        sandbox.Control.Seed("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("bad.yaml", BadPolicy), "--validate=false");
        var (status, body) = await sandbox.SendAsync(HttpMethod.Post, "apis/scalecontrol.io/v1alpha1/namespaces/shop/scalepolicies",
            JsonNode.Parse(Yaml(BadPolicy))!.ToJsonString());

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.target: Required value", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(422, status);
        var fields = body["details"]!["causes"]!.AsArray().Select(c => (string)c!["field"]!).Order().ToArray();
        Assert.Equal(["spec.minReplicas", "spec.mode", "spec.target"], fields);
        Assert.Contains("spec.minReplicas in body must be of type integer: \"string\"", (string?)body["message"], StringComparison.Ordinal);
        Assert.Contains("Unsupported value: \"Bogus\"", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScalePolicy_MaxReplicasAbovePinsCeiling_IsRefusedOnItsPath()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(File.ReadAllText(Charts("scalepolicies.yaml")));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        // 2^31-1 passed the schema and the loop would have scaled towards it; pins stop at 10000, so do bounds.
        var result = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("huge.yaml", """
            apiVersion: scalecontrol.io/v1alpha1
            kind: ScalePolicy
            metadata: {name: huge, namespace: default}
            spec:
              target: {kind: Deployment, name: web}
              metrics: [{name: rps, query: "sum(rate(x[1m]))", targetType: PerReplica, target: 10}]
              minReplicas: 2
              maxReplicas: 2147483647
            """));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.maxReplicas: Invalid value: 2147483647: spec.maxReplicas in body should be less than or equal to 10000",
            result.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "default", "huge"));
    }

    [Fact]
    public async Task UnknownFields_StrictIs400_DefaultDropsThemWithAWarning()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var manifest = kubectl.WriteFile("typo.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 1
              selectr: {matchLabels: {app: web}}
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: "web:1", imagee: "typo"}]}
            """);

        var strict = await kubectl.RunRawAsync("apply", "-f", manifest);
        var warned = await kubectl.RunRawAsync("apply", "-f", manifest, "--validate=warn");
        var stored = sandbox.Control.Get("apps/v1", "Deployment", "default", "web");

        Assert.NotEqual(0, strict.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.selectr\", unknown field \"spec.template.spec.containers[0].imagee\"", strict.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, warned.ExitCode);
        Assert.Contains("unknown field \"spec.selectr\"", warned.StdErr, StringComparison.Ordinal);
        Assert.Null(stored!["spec"]!["selectr"]);
    }

    [Fact]
    public async Task Create_InANamespaceThatDoesNotExist_Is404()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.RequireExistingNamespaces = true, fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var missing = await kubectl.RunRawAsync("create", "configmap", "settings", "-n", "nowhere", "--from-literal=a=b");
        await kubectl.RunAsync("create", "namespace", "nowhere");
        var created = await kubectl.RunRawAsync("create", "configmap", "settings", "-n", "nowhere", "--from-literal=a=b");

        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("namespaces \"nowhere\" not found", missing.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, created.ExitCode);
    }

    [Fact]
    public async Task Create_OfABodyLargerThan3MiB_Is413AndStoresNothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var manifest = kubectl.WriteFile("big.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: default}}\ndata:\n  blob: {new string('x', 4 * 1024 * 1024)}\n");

        var result = await kubectl.RunRawAsync("create", "-f", manifest);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Error from server (RequestEntityTooLarge)", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("Request entity too large: limit is 3145728", result.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "default", "big"));
    }

    private static string Yaml(string yaml) =>
        ScaleControl.Yaml.YamlJson.ParseJsonOrYaml(yaml)!.ToJsonString();

    private static string Charts(string file)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!Directory.Exists(Path.Combine(directory!.FullName, "charts")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory.FullName, "charts", "scalecontrol", "crds", file);
    }
}
