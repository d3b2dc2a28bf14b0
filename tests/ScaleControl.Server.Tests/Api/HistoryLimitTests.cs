using System.Net;
using ScaleControl.Server.Api;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// <c>/history</c> answered every row of its window at once: on a fleet of 1,000 policies retention keeps ~100,000 rows.
/// An answer holds at most <c>limit</c> rows (default 1000, at most 5000), the newest, and says when it was cut.
/// </summary>
public sealed class HistoryLimitTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("5001")]
    public async Task Limit_OutOfRange_400NamingLimit(string limit)
    {
        using var client = server.ClientWith(ViewerToken);

        using var response = await client.GetAsync($"/api/v1/history?limit={limit}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"limit must be between 1 and {HistoryEndpoints.MaxLimit}.", (await response.ReadJson()).GetProperty("errors").GetProperty("limit")[0].GetString());
    }

    [Fact]
    public async Task MoreRowsThanTheLimit_TheNewestAreAnswered_AndAWarningSaysHowManyThereAre()
    {
        await server.Policies.UpsertAsync(TestPolicies.Auto("history-cut", "checkout-api"), default);
        server.Workloads.Add("history-cut", "checkout-api", 2);
        using var operatorClient = server.ClientWith(ZhangsanToken);
        for (var i = 0; i < 3; i++)
        {
            using var frozen = await operatorClient.PostJson("/api/v1/policies/history-cut/checkout-api/freeze", new { durationSeconds = 60, reason = $"freeze {i}" });
            Assert.Equal(HttpStatusCode.OK, frozen.StatusCode);
            server.Time.Advance(TimeSpan.FromMinutes(5));
        }

        using var viewer = server.ClientWith(ViewerToken);
        using var cut = await viewer.GetAsync("/api/v1/history?namespace=history-cut&limit=2");
        using var whole = await viewer.GetAsync("/api/v1/history?namespace=history-cut");

        Assert.Equal(["freeze 2", "freeze 1"], (await cut.Read<List<HistoryEntry>>()).Select(e => e.Reason));
        Assert.Equal("\"showing the newest 2 of 3 entries; narrow from/to or namespace, or raise limit (at most 5000; scalectl: --since, -n, --limit)\"", Assert.Single(cut.Headers.Warning).Text);
        Assert.Equal(3, (await whole.Read<List<HistoryEntry>>()).Count);
        Assert.Empty(whole.Headers.Warning);
    }
}
