using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Configuration;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli;

/// <summary>What a command runs with: the API client, the resolved namespace and output, and where to write.</summary>
internal sealed class CommandContext : IDisposable
{
    /// <summary>Printed for a terminal, not a web page: "+08:00" and 张三 as the server sent them, not "\u002B08:00".</summary>
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private CommandContext(ParseResult parse, ConnectionSettings settings)
    {
        Parse = parse;
        Settings = settings;
        Api = new ScaleControlApi(settings.Server, settings.Token, settings.Timeout);
        ExplicitNamespace = parse.GetValue(GlobalOptions.Namespace);
        AllNamespaces = parse.GetValue(GlobalOptions.AllNamespaces);
        Format = parse.GetValue(GlobalOptions.Output);
    }

    public ParseResult Parse { get; }

    public ConnectionSettings Settings { get; }

    public ScaleControlApi Api { get; }

    public TextWriter Out => Parse.InvocationConfiguration.Output;

    public OutputFormat Format { get; }

    public string? ExplicitNamespace { get; }

    public bool AllNamespaces { get; }

    /// <summary>The namespace for single objects: <c>-n</c>, else the config file's, else <c>default</c>.</summary>
    public string Namespace => ExplicitNamespace ?? Settings.DefaultNamespace;

    /// <summary>The namespace to list in, or null for all (<c>-A</c>).</summary>
    public string? ListNamespace => AllNamespaces ? null : Namespace;

    public DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    public static CommandContext Create(ParseResult parse) =>
        new(parse, ConnectionSettings.Resolve(
            parse.GetValue(GlobalOptions.Server),
            parse.GetValue(GlobalOptions.Token),
            parse.GetValue(GlobalOptions.Config),
            parse.GetValue(GlobalOptions.RequestTimeout),
            Environment.GetEnvironmentVariable));

    public ResourceId Id(string text) => ResourceId.Parse(text, Namespace);

    /// <summary>Prints the server's object for <c>-o json|yaml</c>; returns false for tables, which the caller renders.</summary>
    public bool PrintRaw(JsonNode node)
    {
        switch (Format)
        {
            case OutputFormat.Json:
                Out.WriteLine(node.ToJsonString(s_indented));
                return true;
            case OutputFormat.Yaml:
                var yaml = YamlWriter.ToYaml(node);
                Out.Write(yaml.EndsWith('\n') ? yaml : yaml + "\n");
                return true;
            default:
                return false;
        }
    }

    /// <summary>The last answer's warnings on stderr, as kubectl prints the Kubernetes API's: the request went through, with a caveat.</summary>
    public async Task PrintWarningsAsync()
    {
        foreach (var warning in Api.Warnings)
        {
            await Parse.InvocationConfiguration.Error.WriteLineAsync($"Warning: {warning}");
        }
    }

    /// <summary>Age of a timestamp as kubectl prints it, or <c>&lt;unknown&gt;</c>.</summary>
    public string Age(DateTimeOffset? time) => time is { } t ? Durations.Human(Now - t) : "<unknown>";

    /// <summary>How long until a time, e.g. "in 4m10s", or "expired 2m ago".</summary>
    public string Until(DateTimeOffset? time) => time is not { } t
        ? ""
        : t > Now ? $"in {Durations.Human(t - Now)}" : $"{Durations.Human(Now - t)} ago";

    public void Dispose() => Api.Dispose();
}
