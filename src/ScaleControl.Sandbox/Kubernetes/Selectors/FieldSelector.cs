using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Selectors;

/// <summary>
/// A parsed <c>fieldSelector</c> (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>) over the fields the kind supports
/// (<see cref="SelectableFields"/>), e.g. <c>involvedObject.uid</c> for the events kubectl describe looks up.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, string Value, bool Negated)> _terms = [];

    public static FieldSelector Everything { get; } = new();

    public bool IsEverything => _terms.Count == 0;

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        var selector = new FieldSelector();
        foreach (var term in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negated = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negated ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                throw ApiErrors.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            var label = parts[0].Trim();
            var path = SelectableFields.PathOf(type, label) ?? throw ApiErrors.BadRequest($"field label not supported: {label}");
            selector._terms.Add((path, parts[1].Trim(), negated));
        }

        return selector;
    }

    public bool Matches(JsonObject obj) =>
        _terms.TrueForAll(t => ((JsonPaths.GetString(obj, t.Path) ?? "") == t.Value) != t.Negated);
}
