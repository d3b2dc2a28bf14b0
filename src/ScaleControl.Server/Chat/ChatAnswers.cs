using System.Globalization;
using System.Text;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using ScaleControl.DingTalk.Cards;
using ScaleControl.Numbers;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Chat;

/// <summary>The robot's answers as compact markdown for a phone: a bold first line, a few short lines, times in the chat's zone (<see cref="GroupTimes"/>).</summary>
public static class ChatAnswers
{
    public const int MaxLines = 12;

    /// <summary>Names joined with commas, at most <see cref="MaxLines"/> of them, then how many more: a namespace may hold hundreds of policies.</summary>
    public static string Names(IReadOnlyCollection<string> names) =>
        string.Join(", ", names.Take(MaxLines)) + (names.Count > MaxLines ? $" and {names.Count - MaxLines} more" : "");

    /// <summary>A policy has at most a handful of metrics; a phone screen shows this many of them.</summary>
    private const int MaxMetrics = 5;

    /// <summary>The engine's reasons run to a sentence or two; longer ones are cut, the full text is in scalectl.</summary>
    private const int MaxReasonLength = 300;

    public static CommandReply Help(Caller caller, string zone) => CommandReply.Done("ScaleControl commands", string.Join("\n\n",
        "**ScaleControl commands**",
        "- `status [ns/workload]`\n- `proposals`\n- `history ns/workload`",
        "- `approve ns/workload` · `reject ns/workload [reason]` (`approve all` / `reject all ns/workload [reason]`: every row of its card)",
        "- `scale ns/workload 2->6 for 30m [reason]` (only if it runs 2 now)",
        "- `freeze ns/workload for 1h reason` · `unfreeze ns/workload` (`ns/*`: every policy of the namespace) · `unpin ns/workload`",
        "- `undo ns/workload [reason]` (its latest applied change, or `undo ns/proposal`)",
        $"- `prepare ns/workload at 20:00 expect 3x for 20m reason …` (times in {zone}, `+30m`, or with an offset; or `replicas 30`)",
        "- `unprepare ns/workload` (lists its events) · `unprepare ns/workload event-…`",
        "- `confirm <code>`: runs a risky command the robot asked you to confirm",
        $"- `whoami` (you are **{caller.User}**, {Rights(caller)})"));

    public static CommandReply WhoAmI(CommandRequest request, Caller caller) => CommandReply.Done("whoami",
        $"**{MarkdownText.Escape(request.SenderName)}** (`{caller.User}`)\n\n{Rights(caller)}");

    public static string Rights(Caller caller) => caller.Role switch
    {
        Role.Admin => "admin: every command, every namespace",
        Role.Operator => $"operator in {string.Join(", ", caller.Namespaces.Select(n => $"`{n}`"))}",
        _ => "viewer: status, proposals and history only",
    };

    public static CommandReply Status(IReadOnlyList<PolicyStatusView> policies, GroupTimes clock)
    {
        if (policies.Count == 0)
        {
            return CommandReply.Refused("No ScalePolicy matches. Send `status` for all.");
        }

        var text = new StringBuilder("**Status**");
        foreach (var p in policies.Take(MaxLines))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n\n**{p.Namespace}/{p.Target.Name}** {p.CurrentReplicas?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            var observing = p.Mode == ScaleMode.Observe;
            if (p.DesiredReplicas is { } desired && desired != p.CurrentReplicas && !observing)
            {
                text.Append(CultureInfo.InvariantCulture, $" → {desired}");
            }

            text.Append(" replicas");
            if (p.ReadyReplicas is { } ready && ready < p.CurrentReplicas)
            {
                // Pods still starting or Pending (no room on the nodes): the count alone reads as capacity in place.
                text.Append(CultureInfo.InvariantCulture, $" ({ready} ready)");
            }

            text.Append(CultureInfo.InvariantCulture, $" · {p.Mode}");
            if (observing && p.DesiredReplicas is { } would && would != p.CurrentReplicas)
            {
                // "3 → 7" would read as on its way: an Observe policy writes nothing.
                text.Append(CultureInfo.InvariantCulture, $": would run {would}, nothing written");
            }

            if (observing && p.Observation is { } observation && policies.Count == 1)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n👁 since {clock.Format(observation.Since)}, {ObservationText.Summary(observation)}");
            }

            if (p.PinnedReplicas is { } pinned)
            {
                text.Append(CultureInfo.InvariantCulture, $" · 📌 {pinned} until {clock.Format(p.PinnedUntil)}");
            }

            if (p.FrozenUntil is { } frozen)
            {
                text.Append(CultureInfo.InvariantCulture, $" · ❄ until {clock.Format(frozen)}");
            }

            if (p.OpenProposal is { } proposal)
            {
                // Its own target: "6 → 26" is the last decision, and approving the card gives what the card asks.
                text.Append(CultureInfo.InvariantCulture, $" · proposal `{proposal}`{(p.OpenProposalTo is { } to ? $" asks {to}" : "")}");
            }

            if (p.Held is { } held)
            {
                // "3 → 7" alone reads as on its way: say why nothing is asked or done.
                text.Append(CultureInfo.InvariantCulture, $"\n{InChatWords(MarkdownText.Escape(held))}");
            }

            foreach (var line in p.NotReady?.Lines ?? [])
            {
                // Why the ready count lags, as the scheduler or kubelet said it ("3 of 12 pods Pending: 0/4 nodes are available: …").
                text.Append(CultureInfo.InvariantCulture, $"\n⏳ {MarkdownText.Escape(line)}");
            }

            if (p.CurrentReplicas is null && policies.Count > 1 && p.LastReason is { Length: > 0 } missing)
            {
                // "? replicas" alone left the reader guessing; the reason says why ("Deployment shop/search-api not found").
                text.Append(CultureInfo.InvariantCulture, $"\n{InChatWords(Literal(missing, MaxReasonLength))}");
            }

            if (policies.Count == 1)
            {
                // One workload asked for: the on-call person asks "why 4 → 8?", so give what the decision saw and said.
                AppendDecision(text, p);
            }
        }

        if (policies.Count > MaxLines)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n\n… and {policies.Count - MaxLines} more: `status <namespace>`");
        }

        return CommandReply.Done("Status", text.ToString());
    }

    private static void AppendDecision(StringBuilder text, PolicyStatusView policy)
    {
        foreach (var metric in policy.Metrics.Take(MaxMetrics))
        {
            text.Append(CultureInfo.InvariantCulture, $"\n📈 {MetricLine(metric)}");
        }

        if (policy.LastReason is { Length: > 0 } reason)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nWhy: {InChatWords(Literal(reason, MaxReasonLength))}");
        }
    }

    /// <summary>"`qps` 1650 → 1900 predicted (target 200/replica)"; policies name no unit, so the target gives the value its scale.</summary>
    private static string MetricLine(MetricStatusView metric)
    {
        var name = $"`{CodeSpanText.Quote(metric.Name)}`";
        if (metric.Problem is { } problem)
        {
            return $"{name} unknown: {Literal(problem)}";
        }

        var line = $"{name} {Quantity(metric.Value)}";
        if (metric.Predicted is { } predicted && predicted != metric.Value)
        {
            line += $" → {Quantity(predicted)} predicted";
        }

        if (metric.Target is { } target)
        {
            line += metric.TargetType == MetricTargetType.Average ? $" (target {Quantity(target)} avg/pod)" : $" (target {Quantity(target)}/replica)";
        }

        return line;
    }

    /// <summary>Metric values as scalectl prints them (48200 → 48.2k, 0.734 → 0.73); "?" when there is none.</summary>
    private static string Quantity(double? value) => value is { } v && !double.IsNaN(v) ? ReadableQuantity.Format(v) : "?";

    public static CommandReply Proposals(IReadOnlyList<ScaleProposal> open, GroupTimes clock)
    {
        if (open.Count == 0)
        {
            return CommandReply.Done("Proposals", "**No open proposals.**");
        }

        var lines = open.Take(MaxLines).Select(p =>
            $"- `{p.Metadata.Namespace}/{p.Metadata.Name}` {Literal(p.Spec.Target.Name)} {p.Spec.FromReplicas} → {p.Spec.ToReplicas} · {p.Status.Phase} · expires {clock.Format(p.Spec.ExpiresAt)}{OnCard(p)}");
        return CommandReply.Done("Proposals", $"**Open proposals ({open.Count})**\n\n{string.Join("\n", lines)}");
    }

    /// <summary>Rows of one group card say so, since <c>approve all</c> decides them together.</summary>
    private static string OnCard(ScaleProposal proposal) =>
        proposal.Spec.Group is { } group ? $" · card **{MarkdownText.Escape(group)}**" : "";

    public static CommandReply History(string ns, string workload, IReadOnlyList<HistoryEntry> entries, GroupTimes clock)
    {
        if (entries.Count == 0)
        {
            return CommandReply.Done("History", $"**{ns}/{workload}**: nothing in the last 24 h.");
        }

        // Who is whatever the record says: a record written by hand (kubectl) may name "[boss](http://…)", shown as typed.
        var lines = entries.Take(MaxLines).Select(e =>
            $"- {clock.Format(e.Time)} {KindOf(e)}{(e.To is { } to ? $" {e.From} → {to}" : "")} by {Literal(e.By)}{(e.Channel is { } c ? $" ({c})" : "")}{(e.Unverified ? UnverifiedMark : "")}{(e.UnverifiedReason is { } why ? $" ({MarkdownText.Escape(why)})" : "")}");
        // The newest rows only: say so, or a storm's day reads as its last hour.
        var older = entries.Count > MaxLines ? $"\n\n… and {entries.Count - MaxLines} older: `scalectl get history --since 24h`" : "";
        return CommandReply.Done("History", $"**{ns}/{workload}** last 24 h\n\n{string.Join("\n", lines)}{older}");
    }

    /// <summary>
    /// A chat line has no message, so a record ScaleControl did not write as it stands is marked on the line itself, with
    /// why for an approval or a rejection (the history's and the proposal page's words).
    /// </summary>
    private const string UnverifiedMark = " — unverified record, not written by ScaleControl as it stands";

    /// <summary>The API counts an unpin as a Pinned row and says so in its message (docs/api.md); a chat line has no message, so it names it.</summary>
    private static string KindOf(HistoryEntry entry) => entry is { Kind: HistoryKind.Pinned, To: null } ? "Unpinned" : entry.Kind.ToString();

    /// <summary>
    /// The server's words name scalectl's commands ("an approver can lift it with scalectl scale", the same in the API and
    /// on the policy status); in chat the chat's own command of that name does it, so the answer names that one.
    /// </summary>
    public static string InChatWords(string text) => text
        .Replace("scalectl scale", "`scale`", StringComparison.Ordinal)
        .Replace("unpin (scalectl unpin)", "`unpin`", StringComparison.Ordinal);

    /// <summary>Free text a person typed, shown in prose: one line, bounded, every markdown character escaped so it shows as typed.</summary>
    public static string Literal(string text, int maxLength = 120) =>
        MarkdownText.Escape(text.Length > maxLength ? Flat(text[..maxLength]) + "…" : Flat(text));

    private static string Flat(string text) => text.Replace('\r', ' ').Replace('\n', ' ');
}
