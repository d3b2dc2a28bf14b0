using System.Net;
using System.Net.Sockets;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>--help</c> is read with a server configured (SCALECTL_SERVER, as on every SRE's laptop) and must not depend on it:
/// help used to list the argument's completions, which ask the server, as the argument's name.
/// </summary>
[Collection(CliSandboxCollection.Name)]
public sealed class HelpTests(CliSandbox server)
{
    [Theory]
    [InlineData("pin, scale <WORKLOAD>")]
    [InlineData("approve <ID>")]
    [InlineData("whatif <POLICY>")]
    [InlineData("(default table)")] // not the enum's name, "[default: Table]", beside lowercase choices
    public async Task RootHelp_ServerConfigured_NamesArgumentsInsteadOfListingIds(string expected)
    {
        var policy = (await SandboxPolicy.ListAsync(server))[0];

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain($"{policy.Namespace}/{policy.Name}", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("approve", "  <ID>  Proposal: NAMESPACE/NAME")]
    [InlineData("scale", "  <WORKLOAD>  Workload: NAMESPACE/NAME")]
    [InlineData("completion", "  <bash|zsh>  bash or zsh")]
    [InlineData("whatif", "(the policy is evaluated every evaluationIntervalSeconds")] // docs/scalectl.md: --step is not the evaluation step
    public async Task CommandHelp_ServerNeverAnswers_ShowsHelpWithoutAskingIt(string command, string expected)
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0); // accepts connections, never answers
        silent.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";

        var result = await new Scalectl(url, CliSandbox.ViewerToken).RunAsync(command, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
        Assert.False(silent.Pending(), "help connected to the server");
    }
}
