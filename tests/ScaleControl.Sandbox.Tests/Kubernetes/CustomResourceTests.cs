using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>CRDs make their custom resources servable: discovery, generic storage, the status subresource.</summary>
public sealed class CustomResourceTests
{
    public const string ScalePolicyCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: scalepolicies.scalecontrol.io
        spec:
          group: scalecontrol.io
          scope: Namespaced
          names:
            plural: scalepolicies
            singular: scalepolicy
            kind: ScalePolicy
            shortNames: [sp]
          versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources:
              status: {}
            additionalPrinterColumns:
            - name: Target
              type: string
              jsonPath: .spec.target
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
        """;

    private const string PolicyPath = "apis/scalecontrol.io/v1alpha1/namespaces/shop/scalepolicies";

    [Fact]
    public async Task CreateCrd_ThenCustomResource_IsServedAndDiscoverable()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var (before, _) = await sandbox.SendAsync(HttpMethod.Get, PolicyPath);

        var crd = sandbox.Control.Seed(ScalePolicyCrd).Single();
        var (created, policy) = await sandbox.SendAsync(HttpMethod.Post, PolicyPath,
            """{"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"web"},"spec":{"target":"web","min":2}}""");

        Assert.Equal(404, before);
        Assert.Equal(201, created);
        Assert.Equal(1, (int)policy["metadata"]!["generation"]!);
        Assert.Contains(crd["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Established" && (string?)c["status"] == "True");
        var (_, groups) = await sandbox.SendAsync(HttpMethod.Get, "apis");
        Assert.Contains(groups["groups"]!.AsArray(), g => (string?)g!["name"] == "scalecontrol.io");
        var (_, resources) = await sandbox.SendAsync(HttpMethod.Get, "apis/scalecontrol.io/v1alpha1");
        Assert.Equal(["scalepolicies", "scalepolicies/status"], resources["resources"]!.AsArray().Select(r => (string)r!["name"]!).ToArray());
    }

    [Fact]
    public async Task StatusSubresource_SeparatesSpecAndStatusWrites()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(ScalePolicyCrd);
        await sandbox.SendAsync(HttpMethod.Post, PolicyPath,
            """{"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"web"},"spec":{"min":2},"status":{"phase":"ignored"}}""");

        var (_, afterSpecPatch) = await sandbox.SendAsync(HttpMethod.Patch, PolicyPath + "/web",
            """{"spec":{"min":3},"status":{"phase":"ignored-too"}}""", "application/merge-patch+json");
        var (statusCode, afterStatusPatch) = await sandbox.SendAsync(HttpMethod.Patch, PolicyPath + "/web/status",
            """{"spec":{"min":99},"status":{"phase":"Active"}}""", "application/merge-patch+json");

        Assert.Null(afterSpecPatch["status"]);
        Assert.Equal(2, (int)afterSpecPatch["metadata"]!["generation"]!);
        Assert.Equal(200, statusCode);
        Assert.Equal("Active", (string?)afterStatusPatch["status"]!["phase"]);
        Assert.Equal(3, (int)afterStatusPatch["spec"]!["min"]!);
        Assert.Equal(2, (int)afterStatusPatch["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task DeleteCrd_RemovesItsResourcesAndRoutes()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(ScalePolicyCrd);
        sandbox.Control.Seed("""{"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"web","namespace":"shop"},"spec":{}}""");

        var (deleted, _) = await sandbox.SendAsync(HttpMethod.Delete, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/scalepolicies.scalecontrol.io");
        var (listed, _) = await sandbox.SendAsync(HttpMethod.Get, PolicyPath);

        Assert.Equal(200, deleted);
        Assert.Equal(404, listed);
    }

    [Fact]
    public async Task DeleteCustomResource_PreconditionResourceVersionStale_Returns409ConflictAndKeepsIt()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(ScalePolicyCrd);
        var read = sandbox.Control.Seed("""{"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"web","namespace":"shop"},"spec":{"min":2}}""").Single();
        var readVersion = (string)read["metadata"]!["resourceVersion"]!;
        var (_, changed) = await sandbox.SendAsync(HttpMethod.Patch, PolicyPath + "/web", """{"spec":{"min":3}}""", "application/merge-patch+json");

        var (status, body) = await sandbox.SendAsync(HttpMethod.Delete, PolicyPath + "/web",
            $$$"""{"apiVersion":"v1","kind":"DeleteOptions","preconditions":{"resourceVersion":"{{{readVersion}}}"}}""");

        Assert.Equal(409, status);
        Assert.Equal(("Status", "Failure", "Conflict", 409), ((string?)body["kind"], (string?)body["status"], (string?)body["reason"], (int?)body["code"]));
        Assert.Equal(
            $"Operation cannot be fulfilled on scalepolicies.scalecontrol.io \"web\": Precondition failed: ResourceVersion in precondition: {readVersion}, ResourceVersion in object meta: {changed["metadata"]!["resourceVersion"]}",
            (string?)body["message"]);
        Assert.Equal(("web", "scalecontrol.io", "scalepolicies"), ((string?)body["details"]!["name"], (string?)body["details"]!["group"], (string?)body["details"]!["kind"]));
        Assert.NotNull(sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "shop", "web"));
    }

    [Fact]
    public async Task DeleteCustomResource_PreconditionResourceVersionCurrent_DeletesIt()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(ScalePolicyCrd);
        var read = sandbox.Control.Seed("""{"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"web","namespace":"shop"},"spec":{}}""").Single();

        var (status, body) = await sandbox.SendAsync(HttpMethod.Delete, PolicyPath + "/web",
            $$$"""{"preconditions":{"resourceVersion":"{{{read["metadata"]!["resourceVersion"]}}}","uid":"{{{read["metadata"]!["uid"]}}}"}}""");
        var (again, _) = await sandbox.SendAsync(HttpMethod.Delete, PolicyPath + "/web");

        Assert.Equal(200, status);
        Assert.Equal("Success", (string?)body["status"]);
        Assert.Null(sandbox.Control.Get("scalecontrol.io/v1alpha1", "ScalePolicy", "shop", "web"));
        Assert.Equal(404, again);
    }

    [Fact]
    public async Task CreateCrd_NameNotPluralDotGroup_Returns422()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var crd = ScalePolicyCrd.Replace("name: scalepolicies.scalecontrol.io", "name: wrong.scalecontrol.io", StringComparison.Ordinal);

        var (status, body) = await sandbox.SendAsync(HttpMethod.Post, "apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd, "application/yaml");

        Assert.Equal(422, status);
        Assert.Equal("metadata.name", (string?)body["details"]!["causes"]![0]!["field"]);
    }
}
