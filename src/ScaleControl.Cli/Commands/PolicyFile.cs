using System.Net;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;
using ScaleControl.Yaml;
using YamlDotNet.Core;

namespace ScaleControl.Cli.Commands;

/// <summary>One ScalePolicy document of a (multi-document) YAML or JSON file, with its namespace filled in.</summary>
internal sealed record PolicyDocument(int Index, ResourceId Id, JsonObject Body);

/// <summary>Reads <c>-f FILE</c> (or <c>-f -</c> for stdin) and checks each document against the server.</summary>
internal static class PolicyFile
{
    public static IReadOnlyList<PolicyDocument> Load(string path, string defaultNamespace, TextReader stdin)
    {
        var text = YamlLimits.ReadText(path, stdin);
        var source = YamlLimits.NameOf(path);
        IReadOnlyList<JsonNode> nodes;
        try
        {
            nodes = YamlJson.ParseDocuments(text);
        }
        catch (YamlException e)
        {
            throw new CliException($"{source} is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.InnerException?.Message ?? e.Message}", e);
        }

        if (nodes.Count == 0)
        {
            throw new CliException($"{source} holds no policy");
        }

        return [.. nodes.Select((node, i) => ToDocument(source, i + 1, node, defaultNamespace))];
    }

    /// <summary>Validates every document; the one error line names each invalid document and its fields.</summary>
    public static async Task ValidateAllAsync(ScaleControlApi api, string path, IReadOnlyList<PolicyDocument> documents, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var doc in documents)
        {
            try
            {
                await api.PostAsync("policies/validate", doc.Body, ct);
            }
            catch (ApiException e) when (e.Status == HttpStatusCode.BadRequest)
            {
                problems.Add($"{Describe(path, doc)}: {(e.Errors.Count > 0 ? e.FieldErrors : e.Message)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new CliException($"invalid policy {string.Join(" | ", problems)}");
        }
    }

    public static string Describe(string path, PolicyDocument doc) => $"{doc.Id} ({Path.GetFileName(YamlLimits.NameOf(path))} document {doc.Index})";

    private static PolicyDocument ToDocument(string source, int index, JsonNode node, string defaultNamespace)
    {
        if (node is not JsonObject body)
        {
            throw new CliException($"{source} document {index} is not a ScalePolicy object");
        }

        var kind = body["kind"]?.ToString();
        if (kind is not null && kind != "ScalePolicy")
        {
            throw new CliException($"{source} document {index} is a {kind}, not a ScalePolicy");
        }

        if (body["metadata"] is not JsonObject metadata || metadata["name"]?.ToString() is not { Length: > 0 } name)
        {
            throw new CliException($"{source} document {index} has no metadata.name");
        }

        var ns = metadata["namespace"]?.ToString() is { Length: > 0 } given ? given : defaultNamespace;
        metadata["namespace"] = ns;
        return new PolicyDocument(index, new ResourceId(ns, name), body);
    }
}
