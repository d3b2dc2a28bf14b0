using Microsoft.AspNetCore.Http;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>Absolute URLs of the emulator as the current caller reaches it (host, path base and mount prefix).</summary>
internal sealed record SandboxUrls(string Base)
{
    public static SandboxUrls Of(HttpContext http)
    {
        var mount = http.GetEndpoint()?.Metadata.GetMetadata<SandboxMount>()?.Prefix ?? "";
        return new SandboxUrls($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{mount}");
    }

    public string WebSocket(string path) =>
        (Base.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws") + Base[Base.IndexOf(':', StringComparison.Ordinal)..] + path;
}

/// <summary>Endpoint metadata: where <c>MapSandboxDingTalk</c> mounted the emulator (e.g. <c>/sandbox/dingtalk</c>, or empty).</summary>
internal sealed record SandboxMount(string Prefix);
