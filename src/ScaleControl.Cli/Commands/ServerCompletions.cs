using System.CommandLine.Completions;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Configuration;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// Tab completion of ids from the server (<c>scalectl approve &lt;TAB&gt;</c> lists pending proposals). Asks quickly and
/// quietly: when the server is slow or unreachable, completion offers nothing rather than an error.
/// </summary>
internal static class ServerCompletions
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(2);

    public static IEnumerable<CompletionItem> PendingProposals(CompletionContext context) =>
        Ask(context, "proposals?phase=Pending", p => p["metadata"]);

    public static IEnumerable<CompletionItem> Policies(CompletionContext context) =>
        Ask(context, "policies", p => p["metadata"]);

    /// <summary>Workloads as <c>NAMESPACE/NAME</c>: the targets of the policies.</summary>
    public static IEnumerable<CompletionItem> Workloads(CompletionContext context) =>
        Ask(context, "policies", p => new JsonObject
        {
            ["namespace"] = p["metadata"]?["namespace"]?.ToString(),
            ["name"] = p["spec"]?["target"]?["name"]?.ToString(),
        });

    private static IEnumerable<CompletionItem> Ask(CompletionContext context, string path, Func<JsonNode, JsonNode?> meta)
    {
        try
        {
            var parse = context.ParseResult;
            var settings = ConnectionSettings.Resolve(
                parse.GetValue(GlobalOptions.Server), parse.GetValue(GlobalOptions.Token), parse.GetValue(GlobalOptions.Config),
                null, Environment.GetEnvironmentVariable);
            using var api = new ScaleControlApi(settings.Server, settings.Token, s_timeout);
            var items = api.GetAsync(path, CancellationToken.None).GetAwaiter().GetResult().AsArray();
            return [.. items
                .Select(i => i is null ? null : meta(i))
                .Where(m => m?["name"] is not null)
                .Select(m => new CompletionItem($"{m!["namespace"]}/{m["name"]}"))
                .Where(c => c.Label.StartsWith(context.WordToComplete, StringComparison.Ordinal))
                .DistinctBy(c => c.Label)];
        }
        catch (Exception e) when (e is CliException or ApiException or InvalidOperationException)
        {
            return [];
        }
    }
}
