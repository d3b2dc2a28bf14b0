using System.Net;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// The query string is read strictly: a parameter the endpoint does not take is refused, not ignored (a typo hid the
/// filter and answered everything), enum names are read in any case, and a time must be one ScaleControl could mean.
/// </summary>
public sealed class QueryParameterTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Theory]
    [InlineData("/api/v1/proposals?phse=Pending", "phse", "this endpoint takes namespace, phase, policy")]
    [InlineData("/api/v1/proposals?namespace=shop&limit=5", "limit", "this endpoint takes namespace, phase, policy")]
    [InlineData("/api/v1/history?since=1h", "since", "this endpoint takes from, limit, namespace, to")]
    [InlineData("/api/v1/policies?namespce=shop", "namespce", "this endpoint takes namespace")]
    [InlineData("/api/v1/status?verbose", "verbose", "this endpoint takes no query parameters")]
    [InlineData("/api/v1/policies/shop/checkout-api?dryRun=All", "dryRun", "this endpoint takes no query parameters")]
    public async Task UnknownParameter_400NamingIt_AndWhatTheEndpointTakes(string url, string parameter, string takes)
    {
        await GivenPendingProposalAsync();

        var (status, body) = await GetAsync(url);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {body}");
        var message = body.GetProperty("errors").GetProperty(parameter)[0].GetString()!;
        Assert.StartsWith($"'{parameter}' is not a query parameter here: {takes}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownParameter_OnAWrite_NothingChanges()
    {
        var pending = await GivenPendingProposalAsync();
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostAsync($"/api/v1/proposals/shop/{pending}/approve?replicas=3", content: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'replicas' is not a query parameter here", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ProposalPhase.Pending, (await _server.Proposals.GetAsync("shop", pending, default))!.Status.Phase);
    }

    /// <summary>What scalectl, its completion and the dashboard send (src/ScaleControl.Cli, wwwroot), and a key in another case, as the framework binds it.</summary>
    [Theory]
    [InlineData("/api/v1/dashboard?minutes=30")]
    [InlineData("/api/v1/policies?namespace=shop")]
    [InlineData("/api/v1/proposals?phase=Pending")]
    [InlineData("/api/v1/proposals?namespace=shop&phase=Pending&policy=checkout-api")]
    [InlineData("/api/v1/history?namespace=shop&from=2026-11-25T09:00:00Z&limit=5")]
    [InlineData("/api/v1/history?to=2026-11-25T10:00:00Z")]
    [InlineData("/api/v1/proposals?Phase=Pending&NAMESPACE=shop")]
    public async Task ParametersTheProductSends_AreRead(string url)
    {
        await GivenPendingProposalAsync();

        var (status, body) = await GetAsync(url);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
    }

    [Theory]
    [InlineData("pending", 1)]
    [InlineData("PENDING", 1)]
    [InlineData("Pending", 1)]
    [InlineData("applied", 0)]
    public async Task EnumName_InAnyCase_FiltersAsTheName(string phase, int expected)
    {
        await GivenPendingProposalAsync();

        var (status, body) = await GetAsync($"/api/v1/proposals?phase={phase}");

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        Assert.Equal(expected, body.GetArrayLength());
    }

    /// <summary>
    /// Well-formed times ScaleControl could never mean: year 0001 (read, then 24 h before it overflowed), 9999 with an
    /// offset past the end and year 0000 (which .NET cannot hold: refused as "not a time").
    /// </summary>
    [Theory]
    [InlineData("/api/v1/history?to=0001-01-01T00:00:00Z", "to")]
    [InlineData("/api/v1/history?from=1969-12-31T23:59:59Z", "from")]
    [InlineData("/api/v1/history?to=9999-12-31T23:59:59-01:00", "to")]
    [InlineData("/api/v1/history?from=0000-01-01T00:00:00Z", "from")]
    [InlineData("/api/v1/history?to=3000-01-01T00:00:00-08:00", "to")]
    public async Task Time_OutOfRange_400SayingTheRange(string url, string parameter)
    {
        var (status, body) = await GetAsync(url);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {body}");
        Assert.StartsWith($"{parameter} must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z (got '",
            body.GetProperty("errors").GetProperty(parameter)[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/history?from=2026-13-40T00:00:00Z")]
    [InlineData("/api/v1/history?from=2026-11-25T25:00:00Z")]
    public async Task Time_NoRealDate_IsStillNotATime(string url)
    {
        var (status, body) = await GetAsync(url);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {body}");
        Assert.Contains("must be an RFC 3339 time with its offset", body.GetProperty("errors").GetProperty("from")[0].GetString(), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string url)
    {
        using var client = _server.ClientWith(ViewerToken);
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<string> GivenPendingProposalAsync()
    {
        _server.Workloads.Add("shop", "checkout-api", 4);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(default);
        return Assert.Single(await _server.Proposals.ListAsync("shop", default)).Metadata.Name;
    }
}
