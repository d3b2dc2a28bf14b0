using ScaleControl.Times;
using System.CommandLine;
using System.Globalization;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl get history [--since 1h] [--limit N] [-o wide|json]</c>: what happened and why, oldest first so the latest is next to the prompt.</summary>
internal sealed class GetHistoryCommand : ApiCommand
{
    private static readonly Option<string> s_since = new("--since")
    {
        Description = "How far back, e.g. 30m, 2h, 1d",
        DefaultValueFactory = _ => "24h",
    };

    // The server's own bounds (1–5000, default 1000) decide; its cut warning tells the SRE to raise this.
    private static readonly Option<int?> s_limit = new("--limit")
    {
        Description = "At most this many of the newest rows, 1 to 5000 (default: the server's, 1000)",
    };

    public GetHistoryCommand()
        : base("history", "Show recent actions: proposals, approvals, scalings, pins and freezes")
    {
        Aliases.Add("events");
        Options.Add(s_since);
        Options.Add(s_limit);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var sinceText = context.Parse.GetValue(s_since);
        if (!Durations.TryParseLookBack(sinceText, out var since))
        {
            throw new CliException($"--since '{sinceText}' is not a duration such as 30m, 2h or 1d");
        }

        var from = (context.Now - since).ToString("O", CultureInfo.InvariantCulture);
        var limit = context.Parse.GetValue(s_limit)?.ToString(CultureInfo.InvariantCulture);
        var node = await context.Api.GetAsync(Query.Build("history", ("namespace", context.ListNamespace), ("from", from), ("limit", limit)), ct);
        await context.PrintWarningsAsync(); // the server answers the newest rows only and says so when it cut
        if (context.PrintRaw(node))
        {
            return;
        }

        var entries = node.As<List<HistoryEntry>>().OrderBy(e => e.Time).ToList();

        if (entries.Count == 0)
        {
            // As kubectl does: say where it looked, so an empty answer for the wrong namespace is not taken for a quiet day.
            var where = context.AllNamespaces ? "" : $" in {context.Namespace} namespace";
            context.Out.WriteLine($"No actions{where} in the last {CompactDuration.Of(since)}.");
            return;
        }

        var allNamespaces = context.AllNamespaces;
        var wide = context.Format == OutputFormat.Wide;
        string[] headers = ["AGE", "WORKLOAD", "KIND", "REPLICAS", "BY", "CHANNEL", .. wide ? (string[])["REASON", "PROPOSAL"] : [], "MESSAGE"];
        var table = new TableWriter(Columns.Headers(allNamespaces, headers));
        foreach (var e in entries)
        {
            // Wide: why (the proposal's reason, the operator's --reason, the rejection's) and the full message.
            string?[] extra = wide ? [e.Reason, e.Proposal] : [];
            table.AddRow(Columns.Row(allNamespaces, e.Namespace,
                [context.Age(e.Time), e.Workload, e.Kind, Replicas(e.From, e.To), e.By, e.Channel, .. extra, wide ? e.Message : Columns.Truncate(e.Message, 80)]));
        }

        table.Write(context.Out);
    }

    private static string Replicas(int? from, int? to) => (from, to) switch
    {
        ({ } f, { } t) => $"{f} → {t}",
        (null, { } t) => $"→ {t}",
        _ => "",
    };
}
