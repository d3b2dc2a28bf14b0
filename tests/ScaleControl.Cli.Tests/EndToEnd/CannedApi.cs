using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// A real HTTP server on a free port that answers one route with a fixed JSON body, as the ScaleControl API would: the
/// real scalectl binary reads it over HTTP, for answers the sandbox does not easily produce (an undo withdrawn, a half
/// approval, a time with another offset).
/// </summary>
internal sealed class CannedApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CannedApi(WebApplication app) => _app = app;

    /// <summary>scalectl against this server.</summary>
    public Scalectl Cli => new(_app.Urls.Single(), "token");

    /// <param name="method">GET or DELETE.</param>
    /// <param name="path">The route under the server, e.g. <c>/api/v1/proposals/shop/checkout-api-up</c>.</param>
    public static async Task<CannedApi> StartAsync(string method, string path, string json)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapMethods(path, [method], () => Results.Text(json, "application/json"));
        await app.StartAsync();
        return new CannedApi(app);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
