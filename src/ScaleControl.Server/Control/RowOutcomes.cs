namespace ScaleControl.Server.Control;

/// <summary>
/// The answer to a tap on a whole group card (Approve all, Undo all): one part per distinct outcome, naming its rows,
/// so a reason every row shares is said once ("feed/api, feed/comments: Not applied: …"), not once per row.
/// </summary>
internal static class RowOutcomes
{
    /// <param name="rows">Each row's "namespace/workload" and what became of it, in the card's order.</param>
    public static string Join(IEnumerable<(string Row, string Outcome)> rows) =>
        string.Join("; ", rows
            .GroupBy(r => r.Outcome, StringComparer.Ordinal)
            .Select(g => $"{string.Join(", ", g.Select(r => r.Row))}: {g.Key}"));
}
