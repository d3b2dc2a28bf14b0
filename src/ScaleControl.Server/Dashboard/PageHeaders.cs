namespace ScaleControl.Server.Dashboard;

/// <summary>
/// What the browser is told about the dashboard and the proposal page. They build everything from data as text, so
/// these are the second line: should markup ever slip through, the Content-Security-Policy runs no script but the
/// pages' own files (no inline script or handler, no other origin) and lets no other site frame the pages (a page that
/// framed them could have a user click through them); Referrer-Policy keeps the page's address to this origin.
/// The sandbox's phone, framed by the dashboard, comes from this origin.
/// </summary>
public static class PageHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

    public static void Apply(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "SAMEORIGIN"; // frame-ancestors for browsers that predate it
        response.Headers["Referrer-Policy"] = "same-origin";
    }
}
