using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Configuration;

/// <summary>Where the server is and who we are: flags first, then environment, then the config file, then defaults.</summary>
internal sealed record ConnectionSettings(Uri Server, string? Token, string DefaultNamespace, TimeSpan Timeout)
{
    public const string ServerVariable = "SCALECTL_SERVER";
    public const string TokenVariable = "SCALECTL_TOKEN";
    public const string ConfigVariable = "SCALECTL_CONFIG";
    public const string DefaultServer = "http://127.0.0.1:8080";

    public static ConnectionSettings Resolve(
        string? serverFlag, string? tokenFlag, string? configFlag, string? timeoutFlag, Func<string, string?> env)
    {
        var explicitConfig = configFlag ?? NonEmpty(env(ConfigVariable));
        var file = CliConfigFile.Load(explicitConfig ?? CliConfigFile.DefaultPath(env), explicitConfig is not null);

        var serverText = NonEmpty(serverFlag) ?? NonEmpty(env(ServerVariable)) ?? NonEmpty(file.Server) ?? DefaultServer;
        var token = NonEmpty(tokenFlag) ?? NonEmpty(env(TokenVariable)) ?? NonEmpty(file.Token);
        if (token is not null && token.Any(char.IsControl))
        {
            // A token pasted with a line break inside: the header cannot carry it ("unexpected FormatException" before).
            throw new CliException("the token (--token, SCALECTL_TOKEN or token: in the config file) has a line break or control character in it; a token is one line");
        }

        var timeout = TimeSpan.FromSeconds(30);
        if (timeoutFlag is not null && (!Durations.TryParse(timeoutFlag, out timeout) || timeout <= TimeSpan.Zero))
        {
            throw new CliException($"--request-timeout '{timeoutFlag}' is not a duration such as 10s or 1m");
        }

        return new ConnectionSettings(ParseServer(serverText), token, NonEmpty(file.Namespace) ?? "default", timeout);
    }

    private static Uri ParseServer(string text)
    {
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException($"server '{text}' is not an http(s) URL");
        }

        return uri;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
