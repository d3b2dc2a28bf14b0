using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Api;

/// <summary>A request that went through with a caveat: a <c>Warning: 299</c> header, as the Kubernetes API sends them (kubectl and scalectl print them).</summary>
public static class ApiWarnings
{
    public static OverrideResult Add(HttpContext http, OverrideResult result)
    {
        if (result.Note is { } note)
        {
            Add(http, note);
        }

        return result;
    }

    public static void Add(HttpContext http, string note) => http.Response.Headers.Append("Warning", $"299 - \"{note}\"");
}
