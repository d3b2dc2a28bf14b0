using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// A head over the product's limits (32 KiB of headers, 100 header fields, an 8 KiB path and query) is answered with
/// ProblemDetails naming the limit, over real Kestrel: it answered them itself with a bare 431 or 414 and no body.
/// </summary>
public sealed class RequestHeaderLimitTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public RequestHeaderLimitTests()
    {
        _server.Settings["urls"] = "http://127.0.0.1:0";
        _server.UseKestrel(); // the limits that answered bare were Kestrel's, not the in-memory test host's
        _server.StartServer();
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task HeadersOverTheLimit_431ProblemNamingTheLimit()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/status");
        request.Headers.Add("X-Padding", new string('a', 40 * 1024));

        var (status, problem) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, status);
        Assert.Equal("Request header fields too large: the limit is 32 KiB", problem.GetProperty("title").GetString());
        Assert.Equal(431, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task TooManyHeaderFields_431ProblemNamingTheLimit()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/status");
        for (var i = 0; i < 120; i++)
        {
            request.Headers.Add($"X-Field-{i}", "x");
        }

        var (status, problem) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, status);
        Assert.Equal("Too many request header fields: the limit is 100", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task TargetOverTheLimit_414ProblemNamingTheLimit()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/policies?namespace=" + new string('a', 10 * 1024));

        var (status, problem) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestUriTooLong, status);
        Assert.Equal("Request target too long: the limit is 8 KiB", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task WithinTheLimits_Served()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/policies");
        request.Headers.Add("X-Padding", new string('a', 28 * 1024));
        for (var i = 0; i < 80; i++)
        {
            request.Headers.Add($"X-Field-{i}", "x");
        }

        var (status, _) = await SendAsync(request, expectProblem: false);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>Kestrel keeps a hard limit above the product's, for a head the product never gets to read.</summary>
    [Fact]
    public void Kestrel_KeepsAHardLimitAboveTheProducts()
    {
        var limits = _server.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(64 * 1024, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(200, limits.MaxRequestHeaderCount);
        Assert.Equal(16 * 1024, limits.MaxRequestLineSize);
    }

    /// <summary>What docs/limitations.md says stays bare: a request HTTP cannot parse is answered by Kestrel before the product runs.</summary>
    [Fact]
    public async Task RequestWithoutHost_KestrelAnswersABare400_TheProductNeverRuns()
    {
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync("GET /api/v1/status HTTP/1.1\r\n\r\n"u8.ToArray());

        using var reader = new StreamReader(stream);
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var answer = await reader.ReadToEndAsync(patience.Token); // Kestrel closes the connection after it

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 0", answer, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<(HttpStatusCode Status, JsonElement Problem)> SendAsync(HttpRequestMessage request, bool expectProblem = true)
    {
        var address = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var client = new HttpClient { BaseAddress = address };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ViewerToken);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!expectProblem)
        {
            return (response.StatusCode, default);
        }

        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode} {response.Content.Headers.ContentType}: '{text}'");
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}
