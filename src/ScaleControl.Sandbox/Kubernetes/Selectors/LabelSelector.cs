using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Selectors;

/// <summary>A parsed <c>labelSelector</c>: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>.</summary>
internal sealed partial class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements = [];

    public static LabelSelector Everything { get; } = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in SplitTopLevel(text))
        {
            selector._requirements.Add(ParseRequirement(part.Trim()));
        }

        return selector;
    }

    /// <summary>A metav1.LabelSelector (matchLabels, matchExpressions) as the selector syntax above.</summary>
    public static LabelSelector FromObject(JsonObject selector)
    {
        var parts = new List<string>();
        foreach (var (key, value) in selector["matchLabels"] as JsonObject ?? [])
        {
            parts.Add($"{key}={(string?)value}");
        }

        foreach (var expression in (selector["matchExpressions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var key = (string?)expression["key"];
            var values = string.Join(',', (expression["values"] as JsonArray)?.Select(v => (string?)v) ?? []);
            parts.Add((string?)expression["operator"] switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "Exists" => $"{key}",
                _ => $"!{key}",
            });
        }

        return Parse(string.Join(',', parts));
    }

    public bool IsEverything => _requirements.Count == 0;

    public bool Matches(JsonObject obj) => MatchesLabels(obj["metadata"]?["labels"] as JsonObject);

    public bool MatchesLabels(JsonObject? labels) => _requirements.TrueForAll(r => r(labels));

    private static Func<JsonObject?, bool> ParseRequirement(string text)
    {
        if (SetPattern().Match(text) is { Success: true } set)
        {
            var key = set.Groups["key"].Value;
            var values = set.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            var notIn = set.Groups["op"].Value == "notin";
            return labels => Value(labels, key) is { } v ? values.Contains(v) != notIn : notIn;
        }

        if (EqualityPattern().Match(text) is { Success: true } eq)
        {
            var key = eq.Groups["key"].Value;
            var value = eq.Groups["value"].Value;
            return eq.Groups["op"].Value == "!="
                ? labels => Value(labels, key) != value
                : labels => Value(labels, key) == value;
        }

        if (ExistsPattern().Match(text) is { Success: true } exists)
        {
            var key = exists.Groups["key"].Value;
            var negate = exists.Groups["not"].Success;
            return labels => (Value(labels, key) is not null) != negate;
        }

        throw ApiErrors.BadRequest($"unable to parse requirement: found '{text}', expected: '=', '!=', '==', 'in', notin'");
    }

    private static string? Value(JsonObject? labels, string key) => labels?[key] is JsonValue v ? v.ToString() : null;

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9._/-]+)\s+(?<op>in|notin)\s*\((?<values>[^)]*)\)$")]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9._/-]+)\s*(?<op>==|=|!=)\s*(?<value>[A-Za-z0-9._-]*)$")]
    private static partial Regex EqualityPattern();

    [GeneratedRegex(@"^(?<not>!)?\s*(?<key>[A-Za-z0-9._/-]+)$")]
    private static partial Regex ExistsPattern();
}
