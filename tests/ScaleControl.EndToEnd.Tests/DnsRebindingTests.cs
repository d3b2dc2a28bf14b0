using System.Net;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// DNS rebinding against a sandbox on loopback: a page on another site points its own name at 127.0.0.1 and calls the
/// sandbox as same-origin, with the admin token the sandbox prints for everyone. Such a request carries the site's
/// name as its Host: refused before anything runs; the loopback names are served.
/// </summary>
public sealed class DnsRebindingTests
{
    [Fact]
    public async Task RequestUnderAnotherHostName_Refused_LoopbackNamesServed()
    {
        await using var sandbox = await SandboxServer.StartAsync(Fast.Settings());

        var rebound = await StatusAsync(sandbox, "attacker.example", "/api/v1/status");
        var reboundEmulator = await StatusAsync(sandbox, $"attacker.example:{sandbox.BaseUrl.Port}", "/sandbox/dingtalk/info");

        Assert.Equal(HttpStatusCode.BadRequest, rebound);
        Assert.Equal(HttpStatusCode.BadRequest, reboundEmulator);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(sandbox, $"127.0.0.1:{sandbox.BaseUrl.Port}", "/api/v1/status"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(sandbox, $"localhost:{sandbox.BaseUrl.Port}", "/api/v1/status"));
        Assert.Equal("ok", (await sandbox.Kubectl.RunAsync("get", "--raw", "/healthz")).StdOut); // kubectl's own listener still answers
    }

    private static async Task<HttpStatusCode> StatusAsync(SandboxServer sandbox, string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        request.Headers.Authorization = new("Bearer", SandboxServer.AdminToken);
        using var response = await sandbox.Http.SendAsync(request);
        return response.StatusCode;
    }
}
