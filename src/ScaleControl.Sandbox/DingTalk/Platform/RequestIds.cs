namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>Request ids shaped like DingTalk's (<c>01A08FE7-…</c>, upper-case GUID).</summary>
internal static class RequestIds
{
    public static string New() => Guid.NewGuid().ToString("D").ToUpperInvariant();
}
