using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// The server answers <c>/history</c> with its newest rows only (<c>limit</c>) and says so in a <c>Warning: 299</c>
/// header when it cut; <c>scalectl get history</c> prints it on stderr, so a cut list is not taken for the whole window.
/// The server's side is tested in HistoryLimitTests. The warning says to raise the limit: <c>--limit</c> sends it.
/// </summary>
public sealed class HistoryCutWarningTests
{
    private const string Note = "showing the newest 1000 of 2345 entries; narrow from/to or namespace, or raise limit (at most 5000; scalectl: --since, -n, --limit)";

    [Fact]
    public async Task GetHistory_ServerCutTheAnswer_TheWarningPrintedOnStderr()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/api/v1/history", (HttpContext http) =>
        {
            http.Response.Headers.Append("Warning", $"299 - \"{Note}\"");
            return Results.Text("""[{"time":"2026-12-05T17:30:00Z","namespace":"shop","workload":"checkout","kind":"AutoScaled","from":4,"to":6,"by":"scalecontrol","message":"scaled 4 → 6"}]""", "application/json");
        });
        await app.StartAsync();

        var result = await new Scalectl(app.Urls.Single(), "token").RunAsync("get", "history", "-n", "shop");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("AutoScaled", result.Output, StringComparison.Ordinal);
        Assert.Equal($"Warning: {Note}", result.Error.Trim());
    }

    [Theory]
    [InlineData(new[] { "--limit", "3000" }, "3000")]
    [InlineData(new string[0], null)] // no --limit: the server's default, not one scalectl guesses
    public async Task GetHistory_Limit_SentAsTheQueryLimit(string[] limitArgs, string? expected)
    {
        string? sent = "not asked";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/api/v1/history", (HttpContext http) =>
        {
            sent = http.Request.Query.TryGetValue("limit", out var limit) ? limit.ToString() : null;
            return Results.Text("[]", "application/json");
        });
        await app.StartAsync();

        var result = await new Scalectl(app.Urls.Single(), "token").RunAsync(["get", "history", "-n", "shop", .. limitArgs]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(expected, sent);
    }
}
