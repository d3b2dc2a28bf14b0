using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;

namespace ScaleControl.Cli.Tests.Unit;

/// <summary><c>scalectl --version</c> says which build runs: the product's version and, built from a checkout, its commit.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task Version_IsTheAssemblysInformationalVersion_WithTheCommitOfTheCheckout()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ScalectlRootCommand.RunAsync(["--version"], new InvocationConfiguration { Output = output, Error = error });

        Assert.Equal(0, code);
        var printed = output.ToString().Trim();
        var informational = typeof(ScalectlRootCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(informational, printed);
        Assert.StartsWith(VersionPrefixOfTheRepository() + "+", printed, StringComparison.Ordinal); // set once, in Directory.Build.props
        Assert.Matches(new Regex(@"\+[0-9a-f]{40}$"), printed); // the commit: this build has the checkout's .git
        Assert.Equal(printed.Split('+')[0], ThisAssembly.Version); // the User-Agent names the version alone
    }

    private static string VersionPrefixOfTheRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var props = Path.Combine(dir.FullName, "Directory.Build.props");
            if (File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")) && File.Exists(props))
            {
                return Regex.Match(File.ReadAllText(props), "<VersionPrefix>(.+?)</VersionPrefix>").Groups[1].Value is { Length: > 0 } prefix
                    ? prefix
                    : throw new InvalidOperationException("Directory.Build.props sets no VersionPrefix");
            }
        }

        throw new InvalidOperationException("ScaleControl.sln not found above the test output");
    }
}
