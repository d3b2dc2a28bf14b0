using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ScaleControl.Server.Dashboard;

/// <summary>
/// The home page: a live dashboard (plain HTML, CSS and a small script drawing its own SVG charts; no CDN, no build
/// chain). Its data comes from <c>GET /api/v1/dashboard</c> with a bearer token: in sandbox mode the page uses the
/// demo admin token, in a cluster it asks for one and keeps it in the browser's localStorage.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly DashboardAsset s_page = new("text/html; charset=utf-8", DashboardPage.Html);
    private static readonly DashboardAsset s_styles = new("text/css; charset=utf-8", DashboardStyles.Css);
    private static readonly DashboardAsset s_script = new("text/javascript; charset=utf-8", DashboardScript.Js);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", s_page.Serve).WithName("Dashboard").WithSummary("The live dashboard").ExcludeFromDescription();
        endpoints.MapGet("/dashboard/dashboard.css", s_styles.Serve).ExcludeFromDescription();
        endpoints.MapGet("/dashboard/dashboard.js", s_script.Serve).ExcludeFromDescription();

        // The card's "details" deep link: the dashboard lists the open proposals with their evidence.
        endpoints.MapGet("/proposals/{namespace}/{name}", ProposalDetails).ExcludeFromDescription();
        return endpoints;
    }

    private static RedirectHttpResult ProposalDetails(string @namespace, string name) =>
        TypedResults.Redirect($"/?proposal={Uri.EscapeDataString(@namespace)}/{Uri.EscapeDataString(name)}");

    /// <summary>One static text file, served with an ETag so a reload costs a 304.</summary>
    private sealed class DashboardAsset(string contentType, string content)
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(content);
        private readonly string _etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..16]}\"";

        public IResult Serve(HttpContext context)
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ETag = _etag;
            if (context.Request.Headers.IfNoneMatch.ToString() == _etag)
            {
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }

            context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            return TypedResults.Bytes(_bytes, contentType);
        }
    }
}
