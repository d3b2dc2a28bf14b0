using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Selectors;

/// <summary>
/// A parsed <c>fieldSelector</c> (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>) over dotted paths of the stored object,
/// e.g. <c>involvedObject.uid</c> for the events kubectl describe looks up.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, string Value, bool Negated)> _terms = [];

    public static FieldSelector Parse(string? text)
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

            selector._terms.Add((parts[0].Trim(), parts[1].Trim(), negated));
        }

        return selector;
    }

    public bool Matches(JsonObject obj) =>
        _terms.TrueForAll(t => ((JsonPaths.GetString(obj, t.Path) ?? "") == t.Value) != t.Negated);
}
