using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using ScaleControl.Server.Dashboard;

namespace ScaleControl.Server.Tests.Dashboard;

/// <summary><c>MapDashboard()</c> on its own host: the dashboard, the proposal page and their assets, with ETags for cheap reloads.</summary>
public sealed class DashboardEndpointsTests : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapDashboard();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app!.DisposeAsync();
    }

    [Theory]
    [InlineData("/", "text/html", "<script src=\"/dashboard/dashboard.js\"></script>")]
    [InlineData("/dashboard/dashboard.css", "text/css", ".card")]
    [InlineData("/dashboard/dashboard.js", "text/javascript", "/api/v1/dashboard")]
    [InlineData("/dashboard/common.js", "text/javascript", "window.ScaleControl")]
    [InlineData("/dashboard/proposal.js", "text/javascript", "/api/v1/proposals/")]
    [InlineData("/dashboard/proposal.css", "text/css", ".facts")]
    public async Task Get_Asset_ServesItWithTypeAndNoCache(string path, string mediaType, string expected)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/proposals/shop/checkout-api-20261125-130210-a8ed")]
    [InlineData("/proposals/x/y")]
    public async Task Get_ProposalDetailsLink_ServesTheProposalPage(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _http.BaseAddress };

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoCache);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/dashboard/proposal.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("<title>Proposal · ScaleControl</title>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/proposals/shop")]
    [InlineData("/proposals/shop/name/more")]
    [InlineData("/proposal.html")]
    public async Task Get_NotAProposalsAddress_IsNotFound(string path)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Get_WithMatchingETag_IsNotModified()
    {
        using var first = await _http.GetAsync("/dashboard/dashboard.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/dashboard/dashboard.js");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var response = await _http.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/proposals/shop/checkout-api-20261125-130210-a8ed")]
    public async Task Get_Page_RunsOnlyItsOwnScriptsAndIsFramedOnlyByItsOrigin(string path)
    {
        using var response = await _http.GetAsync(path);

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal); // no inline script, no event handler attribute, no other origin
        Assert.Contains("default-src 'none';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("base-uri 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("SAMEORIGIN", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Page_UsesNoExternalResources()
    {
        var html = await _http.GetStringAsync("/") + await _http.GetStringAsync("/proposals/x/y");
        var js = await _http.GetStringAsync("/dashboard/dashboard.js") + await _http.GetStringAsync("/dashboard/common.js") + await _http.GetStringAsync("/dashboard/proposal.js");

        Assert.DoesNotContain("https://", html + js, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", js, StringComparison.Ordinal);
    }
}
