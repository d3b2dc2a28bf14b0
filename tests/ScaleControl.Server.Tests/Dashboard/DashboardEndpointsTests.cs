using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using ScaleControl.Server.Dashboard;

namespace ScaleControl.Server.Tests.Dashboard;

/// <summary><c>MapDashboard()</c> on its own host: the page and its assets, with ETags for cheap reloads.</summary>
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
    public async Task Get_Asset_ServesItWithTypeAndNoCache(string path, string mediaType, string expected)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ProposalDetailsLink_RedirectsToTheDashboard()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _http.BaseAddress };

        using var response = await http.GetAsync("/proposals/shop/checkout-api-20261125-130210-a8ed");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/?proposal=shop/checkout-api-20261125-130210-a8ed", response.Headers.Location?.OriginalString);
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

    [Fact]
    public async Task Page_UsesNoExternalResources()
    {
        var html = await _http.GetStringAsync("/");
        var js = await _http.GetStringAsync("/dashboard/dashboard.js");

        Assert.DoesNotContain("https://", html + js, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", js, StringComparison.Ordinal);
    }
}
