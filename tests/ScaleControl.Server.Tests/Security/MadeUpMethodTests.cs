using System.Net;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// An unauthenticated caller sending made-up HTTP methods: each one used to become new time series in <c>/metrics</c>
/// (labelled by method), so the server's memory and every scrape grew without limit. They are answered 501 and not counted.
/// </summary>
public sealed class MadeUpMethodTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task MadeUpMethods_Answered501_AndNoneBecomesAMetricLabel()
    {
        using var client = server.ClientWith(null);
        var methods = Enumerable.Range(0, 20).Select(i => $"X{Guid.NewGuid():N}{i}".ToUpperInvariant()).ToList();

        foreach (var (method, i) in methods.Select((m, i) => (m, i)))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), i % 2 == 0 ? "/" : "/api/v1/policies");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        using var known = await client.GetAsync("/healthz");
        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("method=\"GET\"", metrics, StringComparison.Ordinal); // requests are still counted by method
        Assert.All(methods, method => Assert.DoesNotContain(method, metrics, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("PATCH")]
    public async Task HttpsOwnMethods_AreNotRefusedByTheGate(string method)
    {
        using var client = server.ClientWith(null);
        using var request = new HttpRequestMessage(new HttpMethod(method), "/healthz");

        using var response = await client.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.NotImplemented, response.StatusCode);
    }
}
