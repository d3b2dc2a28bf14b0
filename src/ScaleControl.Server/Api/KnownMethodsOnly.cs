namespace ScaleControl.Server.Api;

/// <summary>
/// Kestrel accepts any token as an HTTP method, and the request metrics (<c>/metrics</c>) label every request with its
/// method: each new made-up method was a new set of time series, so anyone who could reach the port grew the server's
/// memory and every scrape without limit (3,000 requests, one second, made <c>/metrics</c> 8.9 MB). A method outside
/// HTTP's own is answered 501 here, before anything counts it.
/// </summary>
public static class KnownMethodsOnly
{
    private static readonly HashSet<string> s_methods = new(StringComparer.Ordinal)
    {
        HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete,
        HttpMethods.Patch, HttpMethods.Options, HttpMethods.Connect, HttpMethods.Trace,
    };

    public static IApplicationBuilder UseKnownMethodsOnly(this IApplicationBuilder app) => app.Use((http, next) =>
        s_methods.Contains(http.Request.Method)
            ? next(http)
            : Results.Problem(
                statusCode: StatusCodes.Status501NotImplemented,
                title: "Method not implemented",
                detail: $"this server answers only {string.Join(", ", s_methods)}.").ExecuteAsync(http));
}
