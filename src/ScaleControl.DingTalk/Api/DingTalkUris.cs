namespace ScaleControl.DingTalk.Api;

/// <summary>Joins a configured base (which may carry a path prefix, e.g. the sandbox's <c>/sandbox/dingtalk</c>) and an API path.</summary>
internal static class DingTalkUris
{
    public static Uri Combine(Uri baseUrl, string relativePath)
    {
        var text = baseUrl.AbsoluteUri;
        var withSlash = text.EndsWith('/') ? baseUrl : new Uri(text + "/");
        return new Uri(withSlash, relativePath.TrimStart('/'));
    }
}
