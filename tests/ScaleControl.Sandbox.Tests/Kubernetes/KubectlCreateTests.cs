using System.Text;
using System.Text.Json.Nodes;

using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>kubectl's typed creates (namespace, configmap, secret, deployment, service), which kubectl 1.32 sends as application/vnd.kubernetes.protobuf.</summary>
public sealed class KubectlCreateTests
{
    [Fact]
    public async Task CreateNamespaceConfigMapSecretDeployment_AsKubectlSendsThem_AreStored()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "configmap", "settings", "-n", "shop", "--from-literal=mode=fast", "--from-literal=level=3");
        await kubectl.RunAsync("create", "secret", "generic", "creds", "-n", "shop", "--from-literal=password=s3cret");
        await kubectl.RunAsync("create", "deployment", "api", "-n", "shop", "--image=api:1", "--replicas=3", "--port=8080");
        sandbox.Control.ReconcileNow();

        var protobufCreates = sandbox.Control.Journal.Where(e => e.Verb == "create" && e.ContentType?.StartsWith("application/vnd.kubernetes.protobuf", StringComparison.Ordinal) == true);
        var configMap = sandbox.Control.Get("v1", "ConfigMap", "shop", "settings")!;
        var secret = sandbox.Control.Get("v1", "Secret", "shop", "creds")!;
        var deployment = sandbox.Control.Get("apps/v1", "Deployment", "shop", "api")!;
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;

        Assert.Equal(["configmaps", "deployments", "namespaces", "secrets"], protobufCreates.Select(e => e.Resource).Order());
        Assert.NotNull(sandbox.Control.Get("v1", "Namespace", "", "shop"));
        Assert.Equal(("fast", "3"), ((string?)configMap["data"]!["mode"], (string?)configMap["data"]!["level"]));
        Assert.Equal("s3cret", Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["password"]!)));
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.Equal(3, (int?)deployment["spec"]!["replicas"]);
        Assert.Equal("api", (string?)deployment["spec"]!["selector"]!["matchLabels"]!["app"]);
        Assert.Equal(("api:1", 8080), ((string?)container["image"], (int?)container["ports"]![0]!["containerPort"]));
        Assert.Equal(new JsonObject(), container["resources"]);
        Assert.Equal(3, (int?)deployment["status"]!["replicas"]);
    }

    [Fact]
    public async Task CreateService_AsKubectlSendsIt_IsDefaultedAndAllocated()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");

        await kubectl.RunAsync("create", "service", "nodeport", "edge", "-n", "shop", "--tcp=80:8080", "--node-port=30080");
        await kubectl.RunAsync("create", "service", "clusterip", "db", "-n", "shop", "--clusterip=None", "--tcp=5432:5432");

        var protobufCreates = sandbox.Control.Journal.Where(e => e is { Verb: "create", Resource: "services" } && e.ContentType?.StartsWith("application/vnd.kubernetes.protobuf", StringComparison.Ordinal) == true);
        var edge = sandbox.Control.Get("v1", "Service", "shop", "edge")!["spec"]!;
        var db = sandbox.Control.Get("v1", "Service", "shop", "db")!["spec"]!;

        Assert.Equal(2, protobufCreates.Count());
        var port = edge["ports"]!.AsArray().Single()!;
        Assert.Equal(("80-8080", 80, 8080, 30080, "TCP"), ((string?)port["name"], (int?)port["port"], (int?)port["targetPort"], (int?)port["nodePort"], (string?)port["protocol"]));
        Assert.Equal(("NodePort", "edge", "Cluster"), ((string?)edge["type"], (string?)edge["selector"]!["app"], (string?)edge["externalTrafficPolicy"]));
        Assert.StartsWith("10.", (string?)edge["clusterIP"], StringComparison.Ordinal);
        Assert.Equal(("None", "SingleStack"), ((string?)db["clusterIP"], (string?)db["ipFamilyPolicy"]));
    }

    [Fact]
    public async Task ProtobufBody_WithoutTheMagicPrefix_Is400NotA500()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await sandbox.SendAsync(HttpMethod.Post, "api/v1/namespaces", "not protobuf", "application/vnd.kubernetes.protobuf");

        Assert.Equal(400, status);
        Assert.Contains("expected prefix [107 56 115 0]", (string?)body["message"], StringComparison.Ordinal);
    }
}
