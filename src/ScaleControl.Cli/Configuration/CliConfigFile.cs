using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;
using ScaleControl.Yaml;
using YamlDotNet.Core;

namespace ScaleControl.Cli.Configuration;

/// <summary>
/// <c>~/.config/scalectl/config.yaml</c> (or the file named by <c>SCALECTL_CONFIG</c>):
/// <code>
/// server: https://scalecontrol.example.com
/// token: s3cr3t
/// namespace: shop
/// </code>
/// </summary>
internal sealed record CliConfigFile(string? Server, string? Token, string? Namespace)
{
    public static CliConfigFile Empty { get; } = new(null, null, null);

    public static string DefaultPath(Func<string, string?> env)
    {
        var xdg = env("XDG_CONFIG_HOME");
        var home = env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".config") : xdg;
        return Path.Combine(root, "scalectl", "config.yaml");
    }

    /// <summary>
    /// Loads the file; a missing default file is fine, a missing explicit one, a directory or a malformed one is an error.
    /// </summary>
    public static CliConfigFile Load(string path, bool explicitlyNamed)
    {
        // File.Exists is false for a directory too: without this, --config ~/.config/scalectl said "does not exist".
        if (Directory.Exists(path))
        {
            throw new CliException($"config file {path} is a directory; name the file in it (e.g. {Path.Combine(path, "config.yaml")})");
        }

        if (!File.Exists(path))
        {
            return explicitlyNamed ? throw new CliException($"config file {path} does not exist") : Empty;
        }

        try
        {
            var documents = YamlJson.ParseDocuments(YamlLimits.ReadText(path, TextReader.Null));
            if (documents.Count == 0)
            {
                return Empty;
            }

            if (documents[0] is not JsonObject root)
            {
                throw new CliException($"config file {path} must be a mapping with server, token and namespace");
            }

            // A typo (tokne:) was dropped in silence and the request went out without a token: name it, as policy files do.
            if (root.Select(p => p.Key).FirstOrDefault(k => k is not ("server" or "token" or "namespace")) is { } unknown)
            {
                throw new CliException($"config file {path}: '{unknown}' is not a setting (use server, token and namespace)");
            }

            return new CliConfigFile(Text(root, "server"), Text(root, "token"), Text(root, "namespace"));
        }
        catch (YamlException e)
        {
            throw new CliException($"config file {path} is not valid YAML: {e.Message}", e);
        }
    }

    private static string? Text(JsonObject root, string key) => root[key]?.ToString();
}
