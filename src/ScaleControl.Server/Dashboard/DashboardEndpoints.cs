using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace ScaleControl.Server.Dashboard;

/// <summary>
/// The home page: a live dashboard (plain HTML, CSS and a small script drawing its own SVG charts; no CDN, no build
/// chain), and the page for one proposal that the DingTalk card's "View details" opens. Their data comes from the API
/// (<c>/api/v1/dashboard</c>, <c>/api/v1/proposals/{ns}/{name}</c>) with a bearer token: in sandbox mode the pages
/// use the demo admin token, in a cluster they ask for one and keep it in the browser's localStorage.
/// The files live in wwwroot/ and are embedded in the assembly (the server runs from any working directory, as one
/// file set); the static-files middleware serves them with ETag and Last-Modified, so a reload costs a 304.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly EmbeddedFileProvider s_files = new(typeof(DashboardEndpoints).Assembly, "ScaleControl.Server.wwwroot");

    private static readonly FileExtensionContentTypeProvider s_contentTypes = new(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
    });

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", StaticFile(endpoints, "/index.html")).WithName("Dashboard").WithSummary("The live dashboard").ExcludeFromDescription();
        endpoints.MapGet("/dashboard/{file}", StaticFile(endpoints, path: null)).ExcludeFromDescription();

        // The card's "View details" link: one proposal, open or finished, read from GET /api/v1/proposals/{ns}/{name}.
        endpoints.MapGet("/proposals/{namespace}/{name}", StaticFile(endpoints, "/proposal.html")).WithName("ProposalPage")
            .WithSummary("The page for one proposal").ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>
    /// The static-files middleware as an endpoint (as <c>MapFallbackToFile</c> builds it): serves <paramref name="path"/>,
    /// or the request's own path, from the embedded wwwroot; a file that is not there is a 404.
    /// </summary>
    private static RequestDelegate StaticFile(IEndpointRouteBuilder endpoints, string? path)
    {
        var app = endpoints.CreateApplicationBuilder();
        app.Use(next => context =>
        {
            if (path is not null)
            {
                context.Request.Path = path;
            }

            // The middleware leaves requests that matched an endpoint alone; this one is meant for it.
            context.SetEndpoint(null);
            return next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = s_files,
            ContentTypeProvider = s_contentTypes,
            OnPrepareResponse = file =>
            {
                // Always revalidate (the page changes with the server), cheaply: the ETag answers 304.
                file.Context.Response.Headers.CacheControl = "no-cache";
                file.Context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
                PageHeaders.Apply(file.Context.Response);
            },
        });
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        return app.Build();
    }
}
