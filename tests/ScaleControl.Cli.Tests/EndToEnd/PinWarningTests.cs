using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// A pin below what the policy asks goes through; the server says so in a <c>Warning: 299</c> header (as the Kubernetes
/// API does) and <c>scalectl scale</c> prints it on stderr, exit 0. The server's side is tested in ControlLoopTests.
/// </summary>
public sealed class PinWarningTests
{
    private const string Pinned = """
        {"apiVersion":"scalecontrol.io/v1alpha1","kind":"ScalePolicy","metadata":{"name":"checkout","namespace":"shop"},
         "spec":{"target":{"kind":"Deployment","name":"checkout"},"minReplicas":2,"maxReplicas":40,
                 "pin":{"replicas":20,"until":"2026-12-05T18:00:00Z","reason":"storm","by":"zhangsan"}}}
        """;

    [Fact]
    public async Task Scale_BelowThePolicysAsk_PinnedAndTheWarningPrintedOnStderr()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapPost("/api/v1/workloads/shop/checkout/pin", (HttpContext http) =>
        {
            http.Response.Headers.Append("Warning", "299 - \"note: the policy asks for 28 now; the pin holds 20 for 30m\"");
            return Results.Text(Pinned, "application/json");
        });
        await app.StartAsync();

        var result = await new Scalectl(app.Urls.Single(), "token").RunAsync("scale", "shop/checkout", "--replicas", "20", "--for", "30m", "--reason", "storm");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("workload shop/checkout pinned at 20 replicas for 30m (policy checkout)", result.Output.Trim());
        Assert.Equal("Warning: note: the policy asks for 28 now; the pin holds 20 for 30m", result.Error.Trim());
    }

    [Fact]
    public async Task Pin_BeyondTheClustersRoom_PinnedAndOneReadableWarningLineOnStderr()
    {
        const string Room = "room: only 5 of the 8 pods this pin adds fit on the nodes now; 3 would stay Pending (needs ~1 more node)";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapPost("/api/v1/workloads/shop/checkout/pin", (HttpContext http) =>
        {
            http.Response.Headers.Append("Warning", $"299 - \"{Room}\"");
            return Results.Text(Pinned, "application/json");
        });
        await app.StartAsync();

        // "pin", as the API and chat call it, is scale's other name.
        var result = await new Scalectl(app.Urls.Single(), "token").RunAsync("pin", "shop/checkout", "--replicas", "20", "--for", "30m", "--reason", "storm");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("workload shop/checkout pinned at 20 replicas for 30m (policy checkout)", result.Output.Trim());
        Assert.Equal($"Warning: {Room}", Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
