using System.Text;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Signals;
using ScaleControl.Prometheus.Tests.Infrastructure;
using ScaleControl.Testing.Logging;
using ScaleControl.Testing.Prometheus;

namespace ScaleControl.Prometheus.Tests;

/// <summary>Outages, retries, timeouts, credentials and TLS: what the control loop sees when Prometheus misbehaves.</summary>
public sealed class PrometheusMetricSourceFailureTests
{
    private const string Query = "sum(rate(http_requests_total[1m]))";

    [Fact]
    public async Task QueryAsync_NothingListening_ReportsUnavailableWithoutAValue()
    {
        using var factory = new MetricSourceFactory(new Uri($"http://127.0.0.1:{PrometheusServer.FreePort()}"), new Dictionary<string, string?> { ["Retries"] = "1" });

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(MetricStatus.Unavailable, reading.Status);
        Assert.Contains("unreachable", reading.Problem);
        Assert.Null(reading.Value);
    }

    /// <summary>
    /// An outage is told once, by the metric source and the fault notice: Polly's own events (each attempt's exception at
    /// Error or Warning) put five stack traces per query per tick in the log, ~470 in the storm walkthrough's first minute.
    /// </summary>
    [Fact]
    public async Task QueryAsync_NothingListening_RetriesLogNoStackTraces()
    {
        var log = new CapturedLog();
        using var factory = new MetricSourceFactory(new Uri($"http://127.0.0.1:{PrometheusServer.FreePort()}"), new Dictionary<string, string?> { ["Retries"] = "2" }, log: log);

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(MetricStatus.Unavailable, reading.Status);
        Assert.DoesNotContain(log.Lines, l => l.Category.StartsWith("Polly", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueryAsync_PrometheusStops_KeepsTheLastGoodValueMarkedStaleWithItsAge()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        var server = await PrometheusServer.StartAsync();
        using var factory = new MetricSourceFactory(server.Url, new Dictionary<string, string?> { ["Retries"] = "1" }, time);
        const string Seven = "vector(7)";
        var good = (await factory.Source.QueryAsync([Seven], CancellationToken.None))[Seven];

        await server.DisposeAsync();
        time.Advance(TimeSpan.FromSeconds(30));
        var stale = (await factory.Source.QueryAsync([Seven], CancellationToken.None))[Seven];

        Assert.Equal(MetricStatus.Ok, good.Status);
        Assert.Equal(MetricStatus.Unavailable, stale.Status);
        Assert.False(stale.IsUsable);
        Assert.Equal(7, stale.Value);
        Assert.Equal(good.SampleTime, stale.SampleTime);
        Assert.Contains("last good value 7 is stale (30 s old)", stale.Problem);
    }

    [Fact]
    public async Task QueryAsync_TransientServerError_RetriesAndSucceeds()
    {
        await using var fake = await FakePrometheusApi.StartAsync((n, context) => n == 1
            ? FakePrometheusApi.Json(context, 503, """{"status":"error","errorType":"unavailable","error":"warming up"}""")
            : FakePrometheusApi.Json(context, 200, FakePrometheusApi.VectorOfSeven));
        using var factory = new MetricSourceFactory(fake.Url);

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(MetricStatus.Ok, reading.Status);
        Assert.Equal(7, reading.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1735689600500), reading.SampleTime);
        Assert.Equal(2, fake.Requests.Count);
    }

    [Fact]
    public async Task QueryAsync_PersistentServerError_GivesUpAfterTheRetriesAsUnavailable()
    {
        await using var fake = await FakePrometheusApi.StartAsync((_, context) =>
            FakePrometheusApi.Json(context, 503, """{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"""));
        using var factory = new MetricSourceFactory(fake.Url, new Dictionary<string, string?> { ["Retries"] = "2" });

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(MetricStatus.Unavailable, reading.Status);
        Assert.Contains("query timed out in expression evaluation", reading.Problem);
        Assert.Equal(3, fake.Requests.Count);
    }

    [Fact]
    public async Task QueryAsync_BadDataIsNotRetried_AndIsAnInvalidQuery()
    {
        await using var fake = await FakePrometheusApi.StartAsync((_, context) =>
            FakePrometheusApi.Json(context, 400, """{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected end of input"}"""));
        using var factory = new MetricSourceFactory(fake.Url);

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(MetricStatus.InvalidQuery, reading.Status);
        Assert.Equal("invalid parameter \"query\": 1:5: parse error: unexpected end of input", reading.Problem);
        Assert.Single(fake.Requests);
    }

    [Fact]
    public async Task QueryAsync_SlowServer_TimesOutPerQuery()
    {
        // The answer would come (a good one) long after the timeout: only the timeout can make the reading unavailable.
        // No wall-clock bound on the call itself: a starved CI runner may take seconds to notice a 0.2 s timeout.
        await using var fake = await FakePrometheusApi.StartAsync(async (_, context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            await FakePrometheusApi.Json(context, 200, FakePrometheusApi.VectorOfSeven);
        });
        using var factory = new MetricSourceFactory(fake.Url, new Dictionary<string, string?> { ["Timeout"] = "00:00:00.200", ["Retries"] = "0" });

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(MetricStatus.Unavailable, reading.Status);
        Assert.Equal("Prometheus did not answer within 0.2 s", reading.Problem);
        Assert.Null(reading.Value);
    }

    [Fact]
    public async Task QueryAsync_BearerTokenFile_IsSentAndReReadWhenRotated()
    {
        var tokenFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(tokenFile, "first-token\n");
            await using var fake = await FakePrometheusApi.StartAsync((_, context) => FakePrometheusApi.Json(context, 200, FakePrometheusApi.VectorOfSeven));
            using var factory = new MetricSourceFactory(fake.Url, new Dictionary<string, string?>
            {
                ["BearerTokenFile"] = tokenFile,
                ["Headers:X-Scope-OrgID"] = "tenant-a",
            });

            await factory.Source.QueryAsync([Query], CancellationToken.None);
            await File.WriteAllTextAsync(tokenFile, "second-token");
            File.SetLastWriteTimeUtc(tokenFile, File.GetLastWriteTimeUtc(tokenFile).AddSeconds(5));
            await factory.Source.QueryAsync([Query], CancellationToken.None);

            var requests = fake.Requests.ToArray();
            Assert.Equal("Bearer first-token", requests[0].Authorization.ToString());
            Assert.Equal("Bearer second-token", requests[1].Authorization.ToString());
            Assert.Equal("tenant-a", requests[0]["X-Scope-OrgID"].ToString());
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task QueryAsync_BasicAuth_SendsUserAndPassword()
    {
        await using var fake = await FakePrometheusApi.StartAsync((_, context) => FakePrometheusApi.Json(context, 200, FakePrometheusApi.VectorOfSeven));
        using var factory = new MetricSourceFactory(fake.Url, new Dictionary<string, string?>
        {
            ["BasicAuth:Username"] = "scalecontrol",
            ["BasicAuth:Password"] = "s3cret:with-colon",
        });

        await factory.Source.QueryAsync([Query], CancellationToken.None);

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("scalecontrol:s3cret:with-colon"));
        Assert.Equal(expected, Assert.Single(fake.Requests).Authorization.ToString());
    }

    [Fact]
    public async Task QueryAsync_Unauthorized_SaysTheCredentialsWereRejected()
    {
        await using var fake = await FakePrometheusApi.StartAsync((_, context) =>
        {
            context.Response.StatusCode = 401;
            return Task.CompletedTask;
        });
        using var factory = new MetricSourceFactory(fake.Url);

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(MetricStatus.Unavailable, reading.Status);
        Assert.StartsWith("Prometheus rejected the request: HTTP 401", reading.Problem);
    }

    [Theory]
    [InlineData(true, false, MetricStatus.Ok)]
    [InlineData(false, true, MetricStatus.Ok)]
    [InlineData(false, false, MetricStatus.Unavailable)]
    public async Task QueryAsync_Https_TrustsOnlyTheConfiguredCaUnlessVerificationIsSkipped(bool useCaFile, bool insecure, MetricStatus expected)
    {
        using var certificates = new TestCertificates();
        await using var fake = await FakePrometheusApi.StartAsync(
            (_, context) => FakePrometheusApi.Json(context, 200, FakePrometheusApi.VectorOfSeven), certificates.Server);
        var settings = new Dictionary<string, string?> { ["Retries"] = "0" };
        if (useCaFile)
            settings["Tls:CaFile"] = certificates.CaFile;
        if (insecure)
            settings["Tls:InsecureSkipVerify"] = "true";
        using var factory = new MetricSourceFactory(fake.Url, settings);

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(expected, reading.Status);
    }
}
