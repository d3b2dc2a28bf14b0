using System.Globalization;
using System.Text;
using System.Text.Json;
using ScaleControl.Core.Proposals;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// The rows of a group card as the builder's loop reads them (<see cref="ApprovalCardVariables.RowItems"/>): one
/// object per row, whose <c>key</c> a per-row button sends back as its <c>row</c> param.
/// </summary>
public static class GroupCardRows
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// JSON text of at most <paramref name="maxBytes"/>: a card value cut mid-JSON would not render at all, so rows that
    /// do not fit are left out of the loop (they stay in the text rows and under Approve all / Reject all).
    /// </summary>
    public static string Items(IReadOnlyList<ScaleProposal> rows, int maxBytes)
    {
        var items = rows.Select(r => new RowItem(
            r.Key, // the row's id on the card: namespace/proposal-name
            $"{r.Metadata.Namespace}/{r.Spec.Target.Name}",
            r.Spec.FromReplicas.ToString(CultureInfo.InvariantCulture),
            r.Spec.ToReplicas.ToString(CultureInfo.InvariantCulture),
            r.Status.Phase.ToString().ToLowerInvariant())).ToList();
        while (items.Count > 0)
        {
            var json = JsonSerializer.Serialize(items, s_json);
            if (Encoding.UTF8.GetByteCount(json) <= maxBytes)
            {
                return json;
            }

            items.RemoveAt(items.Count - 1);
        }

        return "[]";
    }

    /// <summary>
    /// The pending rows and their targets as <c>key=to</c>, comma separated, whole entries only up to
    /// <paramref name="maxBytes"/> (a row left out is not approved by "Approve all"; it keeps its own button).
    /// </summary>
    public static string Seen(IReadOnlyList<ScaleProposal> rows, int maxBytes)
    {
        var seen = new StringBuilder();
        var bytes = 0;
        foreach (var row in rows.Where(r => r.Status.Phase == ProposalPhase.Pending))
        {
            var entry = $"{(seen.Length > 0 ? "," : "")}{row.Key}={row.Spec.ToReplicas.ToString(CultureInfo.InvariantCulture)}";
            bytes += Encoding.UTF8.GetByteCount(entry);
            if (bytes > maxBytes)
            {
                break;
            }

            seen.Append(entry);
        }

        return seen.ToString();
    }

    /// <summary>Reads a <see cref="Seen"/> text back (false for anything else: a forged or damaged param).</summary>
    public static bool TryParseSeen(string text, out IReadOnlyDictionary<string, int> seen)
    {
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        seen = rows;
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.LastIndexOf('=');
            if (equals <= 0 || !entry.AsSpan(0, equals).Contains('/')
                || !int.TryParse(entry.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to) || to <= 0
                || !rows.TryAdd(entry[..equals], to))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record RowItem(string Key, string Workload, string From, string To, string Status);
}
