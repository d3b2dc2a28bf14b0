using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>The server-side meta.k8s.io/v1 Table that <c>kubectl get</c> asks for and prints as is.</summary>
internal static class TableRenderer
{
    public static bool Wanted(string? accept) => accept?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject Render(ResourceType type, IEnumerable<JsonObject> objects, JsonObject? listMetadata, DateTimeOffset now)
    {
        var context = new TableCellContext(now);
        IReadOnlyList<TableColumn> columns = type.Columns.Count > 0 ? type.Columns : [TableColumn.NameColumn, TableColumn.AgeColumn];
        var rows = objects.Select(o => (JsonNode)new JsonObject
        {
            ["cells"] = new JsonArray(columns.Select(c => c.Cell(o, context)).ToArray()),
            ["object"] = o.DeepClone(),
        }).ToArray();
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata?.DeepClone() ?? new JsonObject(),
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Name == "Name" ? "name" : "",
                ["description"] = c.Name,
                ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = new JsonArray(rows),
        };
    }
}
