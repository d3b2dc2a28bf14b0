using System.Text;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary><c>limit</c>/<c>continue</c> on lists, as kubectl's <c>--chunk-size</c> uses them.</summary>
public sealed class ListPagingTests
{
    [Fact]
    public async Task KubectlChunkSizeOne_GetsEveryDeployment_OnePagePerObject()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);
        sandbox.Control.SeedDeployment("shop", "api", 1);
        sandbox.Control.SeedDeployment("ops", "db", 1);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunAsync("get", "deploy", "-A", "--chunk-size=1", "--no-headers", "-v=6");

        var rows = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2))).ToArray();
        Assert.Equal(["ops db", "shop api", "shop web"], rows);
        var pageRequests = result.StdErr.Split('\n').Where(l => l.Contains("/deployments?", StringComparison.Ordinal) && l.Contains("limit=1", StringComparison.Ordinal)).ToArray();
        Assert.True(pageRequests.Length == 3, result.StdErr);
        Assert.Equal(2, pageRequests.Count(l => l.Contains("continue=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Limit_SetsContinueAndRemainingItemCount_TokenPinsTheFirstResourceVersion()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        sandbox.Control.SeedDeployment("shop", "b", 1);
        sandbox.Control.SeedDeployment("shop", "c", 1);

        var (status, first) = await sandbox.SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/shop/deployments?limit=2");
        Assert.Equal(200, status);
        Assert.Equal(["a", "b"], first["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
        Assert.Equal(1, (int)first["metadata"]!["remainingItemCount"]!);
        var token = (string)first["metadata"]!["continue"]!;
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        Assert.Contains("\"start\":\"shop/b\\u0000\"", decoded, StringComparison.Ordinal);

        sandbox.Control.SeedDeployment("shop", "d", 1);
        var (_, second) = await sandbox.SendAsync(HttpMethod.Get, $"/apis/apps/v1/namespaces/shop/deployments?limit=2&continue={Uri.EscapeDataString(token)}");
        Assert.Equal(["c", "d"], second["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
        Assert.Equal((string)first["metadata"]!["resourceVersion"]!, (string)second["metadata"]!["resourceVersion"]!);
        Assert.Null(second["metadata"]!["continue"]);
        Assert.Null(second["metadata"]!["remainingItemCount"]);
    }

    [Fact]
    public async Task Limit_WithSelector_OmitsRemainingItemCount_AndBadTokenIs400()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "a", 1);
        sandbox.Control.SeedDeployment("shop", "b", 1);

        var (_, page) = await sandbox.SendAsync(HttpMethod.Get, "/apis/apps/v1/deployments?limit=1&fieldSelector=metadata.namespace%3Dshop");
        Assert.NotNull(page["metadata"]!["continue"]);
        Assert.Null(page["metadata"]!["remainingItemCount"]);

        var (status, error) = await sandbox.SendAsync(HttpMethod.Get, "/apis/apps/v1/deployments?limit=1&continue=not-a-token");
        Assert.Equal(400, status);
        Assert.StartsWith("invalid continue token: ", (string)error["message"]!, StringComparison.Ordinal);
    }
}
