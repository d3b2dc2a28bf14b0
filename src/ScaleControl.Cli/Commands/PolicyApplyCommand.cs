using System.CommandLine;
using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// <c>scalectl policy apply -f FILE</c>: creates or updates every policy in the file. All documents are validated
/// first, so an invalid file changes nothing.
/// </summary>
internal sealed class PolicyApplyCommand : ApiCommand
{
    private static readonly Option<string> s_file = PolicyCommand.FileOption();

    public PolicyApplyCommand()
        : base("apply", "Create or update policies from a file (all documents are validated before any is applied)")
    {
        Options.Add(s_file);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var path = context.Parse.GetValue(s_file)!;
        var documents = PolicyFile.Load(path, context.Namespace, Console.In);
        // The stored overrides the file leaves out are kept, and validated with the file (a lower maxReplicas than an
        // event's floor is refused before anything is applied).
        var stored = new List<(JsonNode? Before, IReadOnlyList<string> Kept)>();
        foreach (var doc in documents)
        {
            var before = await TryGetAsync(context, doc.Id.Path, ct);
            stored.Add((before, StoredOverrides.CarryOver(doc.Body, before, context.Now)));
        }

        await PolicyFile.ValidateAllAsync(context.Api, path, documents, ct);

        var applied = new JsonArray();
        foreach (var (doc, (before, kept)) in documents.Zip(stored))
        {
            var (body, created) = await context.Api.PutWithStatusAsync($"policies/{doc.Id.Path}", doc.Body, ct);
            applied.Add(body);
            if (context.Format is Formatting.OutputFormat.Table or Formatting.OutputFormat.Wide)
            {
                var keptText = kept.Count > 0 ? $" (kept from the stored policy: {string.Join(", ", kept)})" : "";
                context.Out.WriteLine($"scalepolicy {doc.Id} {Outcome(created, before, body)}{keptText}");
            }
        }

        context.PrintRaw(applied.Count == 1 ? applied[0]!.DeepClone() : applied);
    }

    /// <summary>kubectl's words: "unchanged" when the stored spec (as the server normalised it) did not change.</summary>
    private static string Outcome(bool created, JsonNode? before, JsonNode after) =>
        created ? "created"
        : before is not null && JsonNode.DeepEquals(before["spec"], after["spec"]) ? "unchanged"
        : "configured";

    private static async Task<JsonNode?> TryGetAsync(CommandContext context, string path, CancellationToken ct)
    {
        try
        {
            return await context.Api.GetAsync($"policies/{path}", ct);
        }
        catch (Api.ApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
