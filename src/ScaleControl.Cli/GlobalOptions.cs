using System.CommandLine;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli;

/// <summary>Options every command accepts (kubectl habits): where the server is, who you are, which namespace, what output.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Server = new("--server", "-s")
    {
        Description = "ScaleControl server URL (else SCALECTL_SERVER, else server: in the config file, else http://127.0.0.1:8080)",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Bearer token (else SCALECTL_TOKEN, else token: in the config file)",
        Recursive = true,
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Config file (else SCALECTL_CONFIG, else ~/.config/scalectl/config.yaml)",
        Recursive = true,
    };

    public static readonly Option<string?> Namespace = new("--namespace", "-n")
    {
        Description = "Namespace (else namespace: in the config file, else default)",
        Recursive = true,
    };

    public static readonly Option<bool> AllNamespaces = new("--all-namespaces", "-A")
    {
        Description = "List across all namespaces",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        // No DefaultValueFactory: help would print the enum's name ("[default: Table]"); without -o the value is
        // default(OutputFormat), which is Table.
        Description = "Output format: table, wide, json or yaml (default table)",
        HelpName = "table|wide|json|yaml",
        Recursive = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "table" : result.Tokens[0].Value;
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format))
            {
                return format;
            }

            result.AddError($"'{text}' is not an output format: use table, wide, json or yaml");
            return OutputFormat.Table;
        },
    };

    public static readonly Option<string?> RequestTimeout = new("--request-timeout")
    {
        Description = "How long to wait for the server, e.g. 10s (default 30s)",
        Recursive = true,
    };

    static GlobalOptions()
    {
        Output.CompletionSources.Clear();
        Output.CompletionSources.Add("table", "wide", "json", "yaml");
    }

    public static IEnumerable<Option> All => [Server, Token, Config, Namespace, AllNamespaces, Output, RequestTimeout];
}
