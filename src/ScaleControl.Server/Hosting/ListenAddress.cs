using System.Net;
using ScaleControl.Net;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// In sandbox mode the product talks to its own sandbox over HTTP, so it must know its address before the adapters
/// are built: the first <c>--urls</c> entry (or ASPNETCORE_URLS, or <c>urls</c> in configuration: <see cref="UrlsSetting"/>; default http://127.0.0.1:8080), with port 0 replaced by a free port.
/// </summary>
public static class ListenAddress
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>The default port of the sandbox's Kubernetes API, an apiserver's usual one.</summary>
    public const int KubernetesApiPort = 6443;

    /// <summary>
    /// The address of the sandbox's Kubernetes API listener, https on loopback (kubectl sends tokens only over TLS): <paramref name="port"/>, else 6443, or a free
    /// port when the server was started on port 0 (tests run many servers side by side) or 6443 is taken (a local kind or
    /// minikube cluster often has it: the kubeconfig names whichever port it is). A <paramref name="port"/> asked for and
    /// taken stops the start. Call before <see cref="Pin"/>.
    /// </summary>
    public static Uri KubernetesApi(WebApplicationBuilder builder, int? port)
    {
        const string host = "127.0.0.1";
        if (port is > 0)
        {
            var asked = new UriBuilder("https", host, port.Value).Uri;
            EnsureFree(asked, $"{SandboxOptions.SectionName}:{nameof(SandboxOptions.KubernetesPort)} {port}", "set another port there (0 picks a free one)");
            return asked;
        }

        var server = ConfiguredUri(builder);
        var chosen = port is null && server.Port != 0 && IsFree(host, KubernetesApiPort) ? KubernetesApiPort : FreePort(host);
        return new UriBuilder("https", host, chosen).Uri;
    }

    /// <summary>
    /// Fixes the server's own address (a free port for port 0) and checks that it can be listened on: taken, the start
    /// stops with one line (Kestrel would fail later, with its stack trace logged).
    /// </summary>
    public static Uri Pin(WebApplicationBuilder builder)
    {
        var uri = ConfiguredUri(builder);
        if (uri.Port == 0)
        {
            uri = new UriBuilder(uri) { Port = FreePort(uri.Host) }.Uri;
        }
        else
        {
            var setting = UrlsSetting.Of(builder.Configuration);
            EnsureFree(uri, setting.Name, setting.ChangeTo($"{uri.Scheme}://127.0.0.1:<another port>"));
        }

        builder.WebHost.UseUrls(uri.GetLeftPart(UriPartial.Authority));
        var local = uri.Host is "0.0.0.0" or "[::]" ? new UriBuilder(uri) { Host = "127.0.0.1" }.Uri : uri;
        return new Uri(local.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>
    /// The host names a sandbox listening on loopback only answers to. Its admin token is printed for everyone, so a web
    /// page on another site that re-points its own name at 127.0.0.1 (DNS rebinding) would be same-origin with the
    /// sandbox and could drive it as admin; with any other Host header the request is refused (400) before it runs.
    /// Null when the server listens beyond loopback (someone showing the sandbox on a LAN chose that).
    /// </summary>
    public static string[]? LoopbackHostNames(WebApplicationBuilder builder)
    {
        var host = ConfiguredUri(builder).Host;
        var wildcard = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { } urls && (urls.Contains("://*", StringComparison.Ordinal) || urls.Contains("://+", StringComparison.Ordinal));
        var loopback = !wildcard && (host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
        return loopback ? ["localhost", "127.0.0.1", "[::1]"] : null;
    }

    private static Uri ConfiguredUri(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        var first = string.IsNullOrWhiteSpace(configured) ? DefaultUrl : configured.Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        if (!Uri.TryCreate(first.Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException($"{UrlsSetting.Of(builder.Configuration).Name} '{first}' is not an absolute URL such as {DefaultUrl}.");
        }

        return uri;
    }

    /// <summary>A free port for a port-0 start (<see cref="FreeLoopbackPort"/>: not one outgoing connections may take first).</summary>
    private static int FreePort(string host) => FreeLoopbackPort.Pick(AddressOf(host))
        ?? throw new StartRefusedException($"Cannot find a free port on {host} in {FreeLoopbackPort.Lowest}–{FreeLoopbackPort.AboveHighest - 1}: start with --urls http://{host}:<port>.");

    private static void EnsureFree(Uri uri, string setting, string remedy)
    {
        if (!IsFree(uri.Host, uri.Port))
        {
            throw new StartRefusedException(
                $"Cannot listen on {uri.GetLeftPart(UriPartial.Authority)} ({setting}): another process is listening there. Stop it, or {remedy}.");
        }
    }

    private static bool IsFree(string host, int port) => FreeLoopbackPort.IsFree(AddressOf(host), port);

    private static IPAddress AddressOf(string host) => IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : IPAddress.Loopback;
}
