using System.Text;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// YAML bodies are bounded before they are built, over real HTTP: a body nested 100,000 levels deep overflowed the
/// stack and ended the whole process (the product with it); a "billion laughs" of aliases expanded 400 bytes into
/// billions of nodes. Both answer 400 naming the limit, store nothing, and the server keeps serving. The reading itself
/// is scalectl's too (src/Shared/YamlJson.cs): YAML that cannot become JSON is a 400 as well.
/// </summary>
public sealed class YamlBoundsTests
{
    private const string ConfigMapHead = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n";

    [Fact]
    public async Task ApplyPatch_NestedDeeperThanTheLimit_Answers400AndTheServerKeepsServing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await ApplyAsync(sandbox, ConfigMapHead + "data: " + new string('[', 100_000) + new string(']', 100_000) + "\n");

        Assert.Equal(400, status);
        Assert.Contains("deeper than 64 levels", (string?)body["message"], StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "shop", "bomb"));
        var (after, _) = await sandbox.SendAsync(HttpMethod.Get, "api/v1/namespaces/shop/configmaps");
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task ApplyPatch_BillionLaughs_Answers400WithoutExpandingIt()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var yaml = new StringBuilder(ConfigMapHead).Append("l0: &l0 [a, a, a, a, a, a, a, a, a]\n");
        for (var level = 1; level < 10; level++)
        {
            var previous = $"*l{level - 1}";
            yaml.Append($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat(previous, 9))}]\n");
        }

        var (status, body) = await ApplyAsync(sandbox, yaml.ToString());

        Assert.Equal(400, status);
        Assert.Contains("aliases expand to more than 100000 nodes", (string?)body["message"], StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "shop", "bomb"));
    }

    [Fact]
    public async Task ApplyPatch_AnchorsAndAliasesOfAnOrdinaryManifest_StillApply()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await ApplyAsync(sandbox,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  labels: &labels {app: web, tier: front}\n  annotations: *labels\ndata:\n  a: \"1\"\n", "plain");

        Assert.Equal(201, status);
        Assert.Equal("web", (string?)body["metadata"]!["annotations"]!["app"]);
    }

    [Theory]
    [InlineData("data:\n  ? [a, b]\n  : x\n", "mapping keys must be plain text")] // a key that is a list was an InvalidCastException: 500
    [InlineData("data: {a: [1, 2\n", "")] // unterminated flow collection
    public async Task ApplyPatch_YamlThatCannotBeJson_Answers400(string rest, string message)
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await ApplyAsync(sandbox, ConfigMapHead + rest);

        Assert.Equal(400, status);
        Assert.Contains(message, (string?)body["message"], StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "shop", "bomb"));
    }

    [Fact]
    public async Task ApplyPatch_PlainNaNAndInfinity_AreWordsNotNumbers()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var (status, body) = await ApplyAsync(sandbox, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: words\n  labels: {a: NaN, b: Infinity}\n", "words");

        Assert.Equal(201, status);
        Assert.Equal("NaN", (string?)body["metadata"]!["labels"]!["a"]);
        Assert.Equal("Infinity", (string?)body["metadata"]!["labels"]!["b"]);
    }

    private static Task<(int Status, System.Text.Json.Nodes.JsonObject Body)> ApplyAsync(SandboxHarness sandbox, string yaml, string name = "bomb") =>
        sandbox.SendAsync(HttpMethod.Patch, $"api/v1/namespaces/shop/configmaps/{name}?fieldManager=test", yaml, "application/apply-patch+yaml");
}
