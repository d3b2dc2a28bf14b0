using System.Net;
using System.Net.Sockets;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// A port the server needs is already taken, as on a laptop where another ScaleControl or a local kind/minikube cluster
/// runs. Live: the start aborted with Kestrel's "address already in use" and two screens of stack trace (exit 134),
/// also when only the sandbox's Kubernetes API default (6443, kind's port too) was taken.
/// </summary>
public sealed class TakenPortTests
{
    [Fact]
    public async Task Start_OnATakenUrlsPort_ExitsWithOneReadableLine()
    {
        using var taken = Listen(0);
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, stdout, stderr) = await RunUntilExitAsync(new Dictionary<string, string>(), "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(1, exitCode);
        var line = stderr.Trim();
        Assert.Equal($"Cannot listen on http://127.0.0.1:{port} (--urls): another process is listening there. Stop it, or start with --urls http://127.0.0.1:<another port>.", line);
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }

    /// <summary>The address came from ASPNETCORE_URLS, not --urls: the line used to say "(--urls) … start with --urls" all the same.</summary>
    [Fact]
    public async Task Start_OnATakenPortFromAspNetCoreUrls_NamesThatVariable()
    {
        using var taken = Listen(0);
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, _, stderr) = await RunUntilExitAsync(new Dictionary<string, string> { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });

        Assert.Equal(1, exitCode);
        Assert.Equal($"Cannot listen on http://127.0.0.1:{port} (ASPNETCORE_URLS): another process is listening there. Stop it, or set ASPNETCORE_URLS=http://127.0.0.1:<another port> (or unset it and start with --urls http://127.0.0.1:<another port>).", stderr.Trim());
    }

    [Fact]
    public async Task Start_WithTheKubernetesPortSetAndTaken_ExitsWithOneReadableLine()
    {
        using var taken = Listen(0);
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, stdout, stderr) = await RunUntilExitAsync(
            new Dictionary<string, string> { ["ScaleControl__Sandbox__KubernetesPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            "--urls", "http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        var line = stderr.Trim();
        Assert.StartsWith($"Cannot listen on https://127.0.0.1:{port} (ScaleControl:Sandbox:KubernetesPort {port}): another process is listening there.", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WhileAnotherProcessHas6443_ServesItsKubernetesApiOnAFreePort_AndTheKubeconfigSaysWhich()
    {
        // Taken by this test unless something else on the machine already has it: taken either way.
        using var kind = TryListen(6443);
        using var product = Listen(0);
        var productPort = ((IPEndPoint)product.LocalEndpoint).Port;
        product.Stop(); // a port the server itself may take: the default 6443 only applies to a server not on port 0

        await using var server = await SandboxServer.StartAsync(Fast.Settings(), arguments: ["--urls", $"http://127.0.0.1:{productPort}"]);

        Assert.Equal(productPort, server.BaseUrl.Port);
        Assert.NotEqual(6443, server.KubernetesApi.Port);
        Assert.Contains($"Kubernetes API    https://127.0.0.1:{server.KubernetesApi.Port}", server.Output, StringComparison.Ordinal);
        var version = await server.Kubectl.RunAsync("get", "--raw", "/version");
        Assert.Contains("\"gitVersion\"", version.StdOut, StringComparison.Ordinal);
    }

    private static TcpListener Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return listener;
    }

    private static TcpListener? TryListen(int port)
    {
        try
        {
            return Listen(port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return null;
        }
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunUntilExitAsync(IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("scalecontrol-e2e-").FullName;
        try
        {
            return await RefusedStart.RunAsync(directory, settings, args);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
