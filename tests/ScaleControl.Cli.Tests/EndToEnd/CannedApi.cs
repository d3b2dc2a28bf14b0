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
    private readonly List<string> _bodies = [];

    private CannedApi(WebApplication app) => _app = app;

    /// <summary>The request bodies received, in order (what scalectl sent).</summary>
    public IReadOnlyList<string> Bodies => _bodies;

    /// <summary>scalectl against this server.</summary>
    public Scalectl Cli => new(_app.Urls.Single(), "token");

    /// <param name="method">GET, POST or DELETE.</param>
    /// <param name="path">The route under the server, e.g. <c>/api/v1/proposals/shop/checkout-api-up</c>.</param>
    /// <param name="status">The answer's status; 400 and above answer as ProblemDetails.</param>
    public static async Task<CannedApi> StartAsync(string method, string path, string json, int status = StatusCodes.Status200OK)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new CannedApi(app);
        app.MapMethods(path, [method], async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            api._bodies.Add(await reader.ReadToEndAsync());
            return Results.Text(json, status >= 400 ? "application/problem+json" : "application/json", statusCode: status);
        });
        await app.StartAsync();
        return api;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
