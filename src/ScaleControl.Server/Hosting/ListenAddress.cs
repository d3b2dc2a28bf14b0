using System.Net;
using System.Net.Sockets;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// In sandbox mode the product talks to its own sandbox over HTTP, so it must know its address before the adapters
/// are built: the first <c>--urls</c> entry (default http://127.0.0.1:8080), with port 0 replaced by a free port.
/// </summary>
public static class ListenAddress
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>The default port of the sandbox's Kubernetes API, an apiserver's usual one.</summary>
    public const int KubernetesApiPort = 6443;

    /// <summary>
    /// The address of the sandbox's Kubernetes API listener, https on loopback (kubectl sends tokens only over TLS): <paramref name="port"/>, else 6443, or a free
    /// port when the server was started on port 0 (tests run many servers side by side). Call before <see cref="Pin"/>.
    /// </summary>
    public static Uri KubernetesApi(WebApplicationBuilder builder, int? port)
    {
        var server = ConfiguredUri(builder);
        var chosen = port ?? (server.Port == 0 ? 0 : KubernetesApiPort);
        return new UriBuilder("https", "127.0.0.1", chosen == 0 ? FreePort("127.0.0.1") : chosen).Uri;
    }

    public static Uri Pin(WebApplicationBuilder builder)
    {
        var uri = ConfiguredUri(builder);
        if (uri.Port == 0)
        {
            uri = new UriBuilder(uri) { Port = FreePort(uri.Host) }.Uri;
        }

        builder.WebHost.UseUrls(uri.GetLeftPart(UriPartial.Authority));
        var local = uri.Host is "0.0.0.0" or "[::]" ? new UriBuilder(uri) { Host = "127.0.0.1" }.Uri : uri;
        return new Uri(local.GetLeftPart(UriPartial.Authority));
    }

    private static Uri ConfiguredUri(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        var first = string.IsNullOrWhiteSpace(configured) ? DefaultUrl : configured.Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        if (!Uri.TryCreate(first.Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            throw new InvalidOperationException($"--urls '{first}' is not an absolute URL such as {DefaultUrl}.");
        }

        return uri;
    }

    private static int FreePort(string host)
    {
        var address = IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip : IPAddress.Loopback;
        using var probe = new TcpListener(address, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
