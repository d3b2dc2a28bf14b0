namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>A server restricted to shop and video (<c>ScaleControl:Kubernetes:Namespaces</c>).</summary>
public sealed class RestrictedServer : IAsyncLifetime
{
    public CliSandbox Server { get; } = new(new Dictionary<string, string>
    {
        ["ScaleControl__Kubernetes__Namespaces__0"] = "shop",
        ["ScaleControl__Kubernetes__Namespaces__1"] = "video",
    });

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>scalectl against a server restricted to namespaces: the set is shown, and any other namespace is refused by name.</summary>
public sealed class WatchedNamespacesTests(RestrictedServer fixture) : IClassFixture<RestrictedServer>
{
    private const string Refusal = "namespace 'feed' is not watched by this ScaleControl: it works only in shop, video";

    private CliSandbox Server => fixture.Server;

    [Fact]
    public async Task Status_ShowsTheSet_AndOnlyItsPolicies()
    {
        var result = await Server.Cli(CliSandbox.ViewerToken).RunAsync("status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("scope:    namespaces shop, video", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("shop ", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("feed ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("status", "-n", "feed")]
    [InlineData("get", "policies", "-n", "feed")]
    [InlineData("get", "proposals", "-n", "feed")]
    [InlineData("scale", "feed/feed-service", "--replicas", "9", "--for", "30m", "--reason", "outside")]
    [InlineData("freeze", "feed/feed-service", "--for", "30m", "--reason", "outside")]
    public async Task AnyVerb_NamespaceOutsideTheSet_IsRefusedNamingItAndTheSet(params string[] args)
    {
        var result = await Server.Cli().RunAsync(args);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Refusal, line, StringComparison.Ordinal);
    }
}
