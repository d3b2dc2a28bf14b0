using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Hosting;

public sealed class StartupValidationTests
{
    [Fact]
    public void Start_TokenWithUnknownRole_FailsFastNamingTheEntry()
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b
            .UseSetting("ScaleControl:Auth:Tokens:9:Token", "t-bad")
            .UseSetting("ScaleControl:Auth:Tokens:9:User", "mallory")
            .UseSetting("ScaleControl:Auth:Tokens:9:Role", "superuser"));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains("role 'superuser' is not one of viewer, operator, admin", error.Message);
    }

    [Fact]
    public void Start_WatchedNamespaceNotALabel_FailsFastNamingTheEntry()
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b
            .UseSetting("ScaleControl:Kubernetes:Namespaces:0", "shop")
            .UseSetting("ScaleControl:Kubernetes:Namespaces:1", "Team_B"));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains("ScaleControl:Kubernetes:Namespaces:1 'Team_B' is not a namespace name", error.Message);
    }

    [Fact]
    public void Start_LoopTickOutOfRange_FailsFast()
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:Loop:TickSeconds", "0"));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains("TickSeconds", error.Message);
    }

    [Theory]
    [InlineData("http://scalecontrol-peers:8080")] // no {leader}: every follower would forward to the same place
    [InlineData("scalecontrol-{leader}:8080")]
    [InlineData("ftp://{leader}.peers:8080")]
    public void Start_LeaderUrlTemplateUnusable_FailsFastWithAnExample(string template)
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:Peers:LeaderUrlTemplate", template));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains("LeaderUrlTemplate must be an absolute http(s) URL containing {leader}", error.Message);
    }

    [Theory]
    [InlineData("MaxAgeDays", "0")]
    [InlineData("MaxPerPolicy", "0")]
    [InlineData("PruneIntervalSeconds", "0.5")]
    public void Start_HistoryRetentionOutOfRange_FailsFastNamingTheKey(string key, string value)
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b.UseSetting($"ScaleControl:History:{key}", value));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains(key, error.Message);
    }

    [Theory]
    [InlineData("MaxConcurrent", "0")]
    [InlineData("MaxConcurrentUpgraded", "-1")]
    public void Start_ConnectionLimitOutOfRange_FailsFastNamingTheKey(string key, string value)
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b.UseSetting($"ScaleControl:Connections:{key}", value));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains($"{key} must be between 1 and 1000000", error.Message);
    }

    [Theory]
    [InlineData("", "SigningKey (or SigningKeyFile) is required in cluster mode")]
    [InlineData("short-key", "SigningKey must be at least 32 characters")]
    public void Start_ClusterWithoutUsableApprovalKey_FailsFastNamingTheSetting(string key, string expected)
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:Approvals:SigningKey", key));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains($"ScaleControl:Approvals:{expected}", error.Message);
    }

    [Fact]
    public void Start_ApprovalKeyFileMissing_FailsFastNamingTheFile()
    {
        using var server = new ServerFactory();
        using var bad = server.WithWebHostBuilder(b => b
            .UseSetting("ScaleControl:Approvals:SigningKey", "")
            .UseSetting("ScaleControl:Approvals:SigningKeyFile", "/nonexistent/approval-key"));

        var error = Assert.Throws<OptionsValidationException>(() => bad.CreateClient());

        Assert.Contains("ScaleControl:Approvals:SigningKeyFile '/nonexistent/approval-key' does not exist or is empty", error.Message);
    }

    [Fact]
    public void HistoryOptions_Defaults_KeepSevenDaysAndTwentyPerPolicy()
    {
        var defaults = new HistoryOptions();

        Assert.Equal((7, 20, 60.0), (defaults.MaxAgeDays, defaults.MaxPerPolicy, defaults.PruneIntervalSeconds));
    }

    [Theory]
    [InlineData(null, null, null, ServerMode.Sandbox)]
    [InlineData(null, "/etc/kubeconfig", null, ServerMode.Cluster)]
    [InlineData(null, null, "10.0.0.1", ServerMode.Cluster)]
    [InlineData("sandbox", "/etc/kubeconfig", null, ServerMode.Sandbox)]
    public void ResolveMode_FromConfiguration_PicksTheMode(string? mode, string? kubeconfig, string? inCluster, ServerMode expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ScaleControl:Mode"] = mode,
            ["ScaleControl:Kubernetes:KubeconfigPath"] = kubeconfig,
            ["KUBERNETES_SERVICE_HOST"] = inCluster,
        }).Build();

        Assert.Equal(expected, ServerHostingExtensions.ResolveMode(configuration));
    }

    [Fact]
    public void ResolveMode_Unknown_SaysWhichValuesAreValid()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ScaleControl:Mode"] = "prod" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => ServerHostingExtensions.ResolveMode(configuration));

        Assert.Contains("Sandbox, Cluster", error.Message);
    }
}
