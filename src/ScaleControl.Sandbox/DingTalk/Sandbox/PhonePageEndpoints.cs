using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ScaleControl.Sandbox.DingTalk.Sandbox;

/// <summary>The phone page (<c>/phone</c>) and its assets, served from the resources embedded from wwwroot/dingtalk.</summary>
internal static class PhonePageEndpoints
{
    private const string ResourcePrefix = "ScaleControl.Sandbox.wwwroot.dingtalk.";

    private static readonly Dictionary<string, string> s_contentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static void MapPhonePage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/phone", () => Asset("phone.html"));
        routes.MapGet("/phone/{file}", (string file) => Asset(file));
    }

    private static IResult Asset(string file)
    {
        var extension = Path.GetExtension(file);
        var stream = s_contentTypes.ContainsKey(extension)
            ? typeof(PhonePageEndpoints).Assembly.GetManifestResourceStream(ResourcePrefix + file)
            : null;
        return stream is null
            ? Results.NotFound()
            : new PageResult(Results.Stream(stream, s_contentTypes[extension]));
    }

    /// <summary>
    /// The phone builds its HTML from what people typed and cards carry, on the dashboard's origin (where the API token
    /// is kept): should an escape ever be missed, its Content-Security-Policy runs only phone.js, and only the dashboard
    /// (this origin) may frame it, so no other site can have someone tap Approve through it.
    /// </summary>
    private sealed class PageResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var headers = httpContext.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                + "frame-ancestors 'self'; base-uri 'none'; form-action 'self'";
            headers.XFrameOptions = "SAMEORIGIN";
            headers.XContentTypeOptions = "nosniff";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
