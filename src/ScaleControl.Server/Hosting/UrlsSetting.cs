using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// Where the server's address came from (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>urls</c> in appsettings.json, or
/// the default), so that an error about it says what to change there: telling someone who set ASPNETCORE_URLS to
/// start with --urls leaves them wondering which one wins.
/// </summary>
/// <param name="Name">How the user set it: <c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>urls in appsettings.json</c>, <c>the default</c>.</param>
/// <param name="Remedy">How to give another address there, with <c>{0}</c> for it.</param>
public sealed record UrlsSetting(string Name, string Remedy)
{
    /// <summary>The environment variables ASP.NET Core reads <c>urls</c> from, the one that wins first.</summary>
    private static readonly string[] s_variables = ["URLS", "ASPNETCORE_URLS", "DOTNET_URLS"];

    public string ChangeTo(string address) => string.Format(System.Globalization.CultureInfo.InvariantCulture, Remedy, address);

    /// <param name="variable">Reads an environment variable (tests give their own).</param>
    public static UrlsSetting Of(IConfiguration configuration, Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        var key = WebHostDefaults.ServerUrlsKey;
        // The last provider that has the key is the one whose value the configuration answers with.
        var provider = configuration is IConfigurationRoot root ? root.Providers.LastOrDefault(p => p.TryGet(key, out _)) : null;
        string? value = null;
        provider?.TryGet(key, out value);
        return provider switch
        {
            null => new("the default", "start with --urls {0}"),
            CommandLineConfigurationProvider => new("--urls", "start with --urls {0}"),
            EnvironmentVariablesConfigurationProvider when s_variables.FirstOrDefault(v => variable(v) == value) is { } name =>
                new(name, $"set {name}={{0}} (or unset it and start with --urls {{0}})"),
            FileConfigurationProvider file => new($"urls in {file.Source.Path}", $"change urls in {file.Source.Path} to {{0}}"),
            _ => new("urls in the configuration", "set urls to {0}"),
        };
    }
}
