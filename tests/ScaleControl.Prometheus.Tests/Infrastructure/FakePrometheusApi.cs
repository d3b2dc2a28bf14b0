using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ScaleControl.Prometheus.Tests.Infrastructure;

/// <summary>
/// A stand-in for Prometheus on 127.0.0.1:0, for what a real one will not do on demand: fail with 5xx, hang,
/// demand credentials, speak TLS. Records the headers of every request.
/// </summary>
internal sealed class FakePrometheusApi : IAsyncDisposable
{
    public const string VectorOfSeven = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1735689600.5,"7"]}]}}""";

    private readonly WebApplication _app;

    private FakePrometheusApi(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<IHeaderDictionary> Requests { get; } = new();

    public static async Task<FakePrometheusApi> StartAsync(Func<int, HttpContext, Task> respond, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
                listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        FakePrometheusApi? fake = null;
        var count = 0;
        app.Run(async context =>
        {
            fake!.Requests.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
            await respond(Interlocked.Increment(ref count), context);
        });
        await app.StartAsync();
        fake = new FakePrometheusApi(app, new Uri(app.Urls.First()));
        return fake;
    }

    public static Task Json(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
