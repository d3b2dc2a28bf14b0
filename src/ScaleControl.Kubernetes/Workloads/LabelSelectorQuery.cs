using k8s.Models;

namespace ScaleControl.Kubernetes.Workloads;

/// <summary>A workload's <c>spec.selector</c> as the <c>labelSelector</c> query of a list (the form kubectl's <c>-l</c> takes).</summary>
public static class LabelSelectorQuery
{
    /// <summary>The query, or null for a selector that selects nothing or everything (apps/v1 requires a non-empty one).</summary>
    public static string? Of(V1LabelSelector? selector)
    {
        var terms = new List<string>();
        foreach (var (key, value) in (selector?.MatchLabels ?? new Dictionary<string, string>()).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            terms.Add($"{key}={value}");
        }

        foreach (var expression in selector?.MatchExpressions ?? [])
        {
            var values = string.Join(",", expression.Values ?? []);
            terms.Add(expression.OperatorProperty switch
            {
                "In" => $"{expression.Key} in ({values})",
                "NotIn" => $"{expression.Key} notin ({values})",
                "Exists" => expression.Key,
                "DoesNotExist" => $"!{expression.Key}",
                var other => throw new ArgumentException($"unknown label selector operator '{other}' on key '{expression.Key}'", nameof(selector)),
            });
        }

        return terms.Count == 0 ? null : string.Join(",", terms);
    }
}
