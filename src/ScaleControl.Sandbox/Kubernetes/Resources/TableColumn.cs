using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>A column of the server-side Table kubectl asks for (<c>Accept: ...;as=Table</c>).</summary>
internal sealed record TableColumn(string Name, string Type, Func<JsonObject, TableCellContext, JsonNode?> Cell, int Priority = 0)
{
    public static TableColumn NameColumn { get; } =
        new("Name", "string", (o, _) => (string?)o["metadata"]?["name"]);

    public static TableColumn AgeColumn { get; } =
        new("Age", "string", (o, c) => c.Age((string?)o["metadata"]?["creationTimestamp"]));

    /// <summary>
    /// A column reading a simple JSONPath such as <c>.spec.replicas</c> (CRD additionalPrinterColumns). A wildcard
    /// (<c>[*]</c>) prints the first match only, as the apiserver's table convertor does (it takes results[0][0]).
    /// </summary>
    public static TableColumn FromJsonPath(string name, string type, string jsonPath, int priority) =>
        new(name, type == "date" ? "string" : type, (o, c) =>
        {
            var value = Json.JsonPaths.Get(o, jsonPath.TrimStart('.').Replace("[*]", "[0]", StringComparison.Ordinal));
            return type == "date" ? c.Age((string?)value) : value?.DeepClone();
        }, priority);
}

/// <summary>What a cell needs besides its object: the clock, to render ages like kubectl does.</summary>
internal sealed class TableCellContext(DateTimeOffset now)
{
    public string Age(string? timestamp)
    {
        if (timestamp is null || !DateTimeOffset.TryParse(timestamp, out var created))
        {
            return "<unknown>";
        }

        return HumanDuration(now - created);
    }

    /// <summary>apimachinery's duration.HumanDuration, close enough for people reading kubectl output.</summary>
    private static string HumanDuration(TimeSpan d)
    {
        if (d < TimeSpan.Zero)
        {
            d = TimeSpan.Zero;
        }

        var seconds = (long)d.TotalSeconds;
        var minutes = (long)d.TotalMinutes;
        var hours = (long)d.TotalHours;
        return seconds switch
        {
            < 120 => $"{seconds}s",
            _ when minutes < 10 => seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s",
            _ when minutes < 180 => $"{minutes}m",
            _ when hours < 8 => minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m",
            _ when hours < 48 => $"{hours}h",
            _ when hours < 24 * 8 => hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h",
            _ => $"{hours / 24}d",
        };
    }
}
