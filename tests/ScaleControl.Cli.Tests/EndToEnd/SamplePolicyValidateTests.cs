namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// samples/README.md step 1: <c>scalectl policy validate -f samples/policies/….yaml</c> passes for every sample, against
/// the server's validation (which checks more than the policy model's: names, follow targets, limits).
/// </summary>
[Collection(CliSandboxCollection.Name)]
public sealed class SamplePolicyValidateTests(CliSandbox server)
{
    private static readonly string s_samples = Path.Combine(RepoRoot(), "samples");

    public static TheoryData<string> SampleFiles() =>
    [
        .. Directory.GetFiles(s_samples, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(s_samples, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void Samples_AreFound()
    {
        Assert.Contains("policies/checkout-api.yaml", SampleFiles());
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task PolicyValidate_Sample_IsValid(string sample)
    {
        var path = Path.Combine(s_samples, sample);

        var result = await server.Cli(CliSandbox.ViewerToken).RunAsync("policy", "validate", "-f", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(result.Lines);
        Assert.All(result.Lines, line => Assert.Matches("^scalepolicy [a-z0-9-]+/[a-z0-9-]+ valid$", line));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
