using System.Net;
using System.Net.Sockets;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>Every failure is one readable line on stderr and exit code 1.</summary>
[Collection(CliSandboxCollection.Name)]
public sealed class ErrorPathTests(CliSandbox server)
{
    [Fact]
    public async Task AnyVerb_ServerDown_SaysItCannotReachTheServer()
    {
        var url = $"http://127.0.0.1:{FreePort()}";

        var result = await new Scalectl(url, CliSandbox.AdminToken).RunAsync("get", "policies", "-A");

        AssertOneErrorLine(result, $"error: cannot reach ScaleControl at {url}/");
    }

    [Fact]
    public async Task AnyVerb_BadToken_IsUnauthorizedWithAHint()
    {
        var result = await server.Cli("not-a-token").RunAsync("get", "proposals", "-A");

        AssertOneErrorLine(result, "error: unauthorized (401)");
        Assert.Contains("SCALECTL_TOKEN", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyVerb_NoToken_IsUnauthorized()
    {
        var result = await server.Cli(token: null).RunAsync("status");

        AssertOneErrorLine(result, "error: unauthorized (401)");
    }

    [Fact]
    public async Task TokenFlag_OverridesEnvironment()
    {
        var result = await server.Cli("not-a-token").RunAsync("status", "--token", CliSandbox.ViewerToken);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task ConfigFile_ProvidesServerAndToken()
    {
        var config = Path.Combine(Path.GetTempPath(), $"scalectl-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(config, $"server: {server.Url}\ntoken: {CliSandbox.ViewerToken}\n");

        var result = await new Scalectl(null, null, new Dictionary<string, string> { ["SCALECTL_CONFIG"] = config }).RunAsync("get", "policies", "-A");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("NAMESPACE", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFlag_NamingADirectory_SaysItIsADirectory()
    {
        var directory = Directory.CreateTempSubdirectory("scalectl-config-dir-").FullName;
        try
        {
            var result = await new Scalectl(server.Url, CliSandbox.ViewerToken).RunAsync("status", "--config", directory);

            AssertOneErrorLine(result, $"error: config file {directory} is a directory; name the file in it");
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public async Task Describe_UnknownProposal_IsNotFound()
    {
        var result = await server.Cli().RunAsync("describe", "proposal", "shop/does-not-exist");

        AssertOneErrorLine(result, "error: not found (404)");
    }

    [Fact]
    public async Task Approve_AsViewer_IsForbidden()
    {
        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("approve", "shop/does-not-exist");

        AssertOneErrorLine(result, "error: forbidden (403)");
    }

    [Fact]
    public async Task Freeze_OperatorOutsideItsNamespaces_IsForbidden()
    {
        var apply = await server.Cli().RunAsync("policy", "apply", "-f", Path.Combine(AppContext.BaseDirectory, "EndToEnd", "Policies", "forbidden-namespace.yaml"));
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var result = await server.Cli(CliSandbox.OperatorToken).RunAsync("freeze", "payments/cli-ledger", "--for", "30m", "--reason", "not mine");

        AssertOneErrorLine(result, "error: forbidden (403)");
    }

    [Fact]
    public async Task Scale_BadDuration_IsAUsageErrorBeforeAnyRequest()
    {
        var result = await new Scalectl($"http://127.0.0.1:{FreePort()}", null).RunAsync("scale", "shop/x", "--replicas", "3", "--for", "soon", "--reason", "r");

        AssertOneErrorLine(result, "error: --for 'soon' is not a duration");
    }

    [Fact]
    public async Task Get_MalformedId_SaysHowToWriteIt()
    {
        var result = await server.Cli().RunAsync("get", "proposals", "a/b/c");

        AssertOneErrorLine(result, "error: 'a/b/c' is not a valid id");
    }

    /// <summary>
    /// ".." as the event (or a name) was sent as it is, and the URL resolved it away: <c>unprepare shop/x ..</c> was
    /// DELETE policies/shop/x, which deleted the policy for an admin and printed nothing (exit 0). An empty event name
    /// addressed the collection and answered "server error (405): Method Not Allowed".
    /// </summary>
    [Theory]
    [InlineData("unprepare", "{0}", "..")]
    [InlineData("unprepare", "{0}", ".")]
    [InlineData("unprepare", "{0}", "")]
    [InlineData("describe", "policy", "{1}/..")]
    [InlineData("unfreeze", "{1}/..")]
    public async Task DotSegment_AsAName_RefusedBeforeAnyRequest_NothingDeleted(params string[] args)
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];

        var result = await server.Cli().RunAsync([.. args.Select(a => string.Format(System.Globalization.CultureInfo.InvariantCulture, a, policy.Id, policy.Namespace))]);

        AssertOneErrorLine(result, "error: ");
        Assert.Contains("is not a valid", result.Error, StringComparison.Ordinal);
        Assert.NotNull(await server.ApiAsync(HttpMethod.Get, $"/api/v1/policies/{policy.Id}"));
    }

    private static void AssertOneErrorLine(ScalectlResult result, string prefix)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(prefix, line, StringComparison.Ordinal);
    }

    private static int FreePort() => ScaleControl.Testing.Net.FreePort.Pick();
}
