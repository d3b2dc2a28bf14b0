using System.Globalization;
using System.Text;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using V = ScaleControl.DingTalk.Cards.ApprovalCardVariables;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// Renders a proposal into the approval card's variables. The same full set is sent on create and on every
/// update (merged by key), so the card always shows the proposal's current state. Which approvals and which rejection
/// ScaleControl recorded the host tells it (<paramref name="seals"/>; it holds the key): a record written by hand is
/// marked with the host's words, never sizes the step the card says is being scaled, and a rejection written by hand
/// holds nothing back. Without a host to ask, every record is taken as recorded.
/// </summary>
public sealed partial class ApprovalCardContent(TimeZoneInfo timeZone, Uri? detailsBaseUrl, IReadOnlyDictionary<string, string> userNames, TimeProvider? time = null, IRecordSeals? seals = null)
{
    /// <summary>The group's zone for the rules' UTC times inside the card's texts (a refusal, a withdrawal); the card's own times are written in it.</summary>
    private readonly GroupTimes _times = new(timeZone, time ?? TimeProvider.System);

    /// <summary>DingTalk's limit on a cardParamMap value.</summary>
    internal const int MaxValueBytes = 1024;

    public IReadOnlyDictionary<string, string> Build(ScaleProposal proposal) =>
        IsAutomatic(proposal) ? BuildAuto([proposal]) : proposal.Spec.Group is null ? BuildOne(proposal) : BuildGroup([proposal]);

    /// <summary>
    /// A group card: one row per proposal sharing the card (oldest first), "Approve all" / "Reject all" while any
    /// row waits (status <c>group_pending</c>), the waiting rows' expiry, the outcome per row, and "Undo all" while
    /// any row's change can be taken back.
    /// </summary>
    public IReadOnlyDictionary<string, string> BuildGroup(IReadOnlyList<ScaleProposal> rows)
    {
        if (IsAutomatic(rows[0]))
        {
            return BuildAuto(rows);
        }

        var lead = rows[0];
        var map = SingleCard(lead);
        var pending = rows.Count(r => r.Status.Phase == ProposalPhase.Pending);
        var busy = rows.Any(r => r.Status.Phase is ProposalPhase.Approved or ProposalPhase.Applying);
        // The numbers are each workload's latest step: a later row of the same workload (its return to normal after
        // a hot event, a further step) replaces its earlier one. Without a group, the card is one workload's.
        var latest = rows.GroupBy(WorkloadOf, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var newest = rows[^1];
        var from = latest.Sum(r => r.Spec.FromReplicas);
        var to = latest.Sum(r => r.Spec.ToReplicas);
        map[V.Group] = lead.Spec.Group ?? "";
        map[V.Title] = lead.Spec.Group is { } group
            ? $"{group}: {latest.Count} service{(latest.Count == 1 ? "" : "s")} scale together ({from} → {to} replicas)"
            : $"{WorkloadOf(newest)}: {from} → {to} replicas{(ReturnToNormalRules.IsReturn(newest) ? " (return to normal)" : "")}";
        map[V.Workload] = string.Join(", ", latest.Select(WorkloadOf));
        map[V.ReplicasFrom] = Number(from);
        map[V.ReplicasTo] = Number(to);
        map[V.HalfStepTo] = "";
        map[V.Reason] = lead.Spec.Group is null ? MarkdownText.Line(newest.Spec.Reason) : "";
        map[V.Rows] = string.Join("\n", rows.Select(Row));
        map[V.RowItems] = GroupCardRows.Items(rows, MaxValueBytes);
        map[V.AllSeen] = GroupCardRows.Seen(rows, MaxValueBytes);
        map[V.CostDelta] = GroupCost(rows, to - from);
        map[V.UndoTo] = "";
        map[V.UndoAll] = rows.Count(r => UndoRules.Offered(r, r.Status.AppliedAt ?? default, TimeSpan.MaxValue) is null) is > 0 and var undoable ? Number(undoable) : "";
        map[V.Room] = GroupRoom(rows);
        map[V.Status] = pending > 0 ? GroupPending : busy ? "applying" : rows.All(r => r.Status.Phase == ProposalPhase.Applied) ? "applied" : "decided";
        map[V.StatusText] = pending > 0
            ? $"{pending} of {rows.Count} waiting for approval, expires {Time(rows.Where(r => r.Status.Phase == ProposalPhase.Pending).Min(r => r.Spec.ExpiresAt))}"
            : string.Join(", ", rows.GroupBy(r => r.Status.Phase).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        map[V.DecidedBy] = string.Join(", ", rows.Select(DecidedBy).Where(b => b.Length > 0).Distinct(StringComparer.Ordinal));
        map[V.DecidedAt] = rows.Select(DecidedAt).Max() is { } at ? Time(at) : "";
        map[V.Result] = string.Join("\n", rows.Select(r => (r, Result(r))).Where(x => x.Item2.Length > 0).Select(x => $"{x.r.Spec.Target.Name}: {x.Item2}"));
        map[V.Updated] = rows.SelectMany(r => r.Status.Amendments.Select(a => $"updated {Time(a.At)}: {r.Spec.Target.Name} {a.FromTarget} → {a.ToTarget}").Zip(r.Status.Amendments, (text, a) => (text, a.At)))
            .OrderByDescending(x => x.At).Select(x => x.text).FirstOrDefault() ?? "";
        return Finished(map);
    }

    /// <summary>
    /// What approving the waiting rows costs, worded as a single card words one change ("+9 pods · +4.5 CPU, +9 GiB ·
    /// ≈ ¥21.60/h"); pods only when a waiting row has no estimate, and the decided change when none waits.
    /// </summary>
    private static string GroupCost(IReadOnlyList<ScaleProposal> rows, int decidedDelta)
    {
        var waiting = rows.Where(r => r.Status.Phase == ProposalPhase.Pending).ToList();
        if (waiting.Count == 0)
        {
            return PodDelta(decidedDelta);
        }

        return waiting.All(r => r.Spec.Capacity is not null)
            ? CapacityText.Change(CapacitySum.Of([.. waiting.Select(r => r.Spec.Capacity!)]))
            : PodDelta(waiting.Sum(r => r.Spec.ToReplicas - r.Spec.FromReplicas));
    }

    /// <summary>
    /// The room for the waiting rows together (they compete for the same free nodes, <see cref="CapacitySum.Room"/>);
    /// "" when none waits or a waiting row has no estimate.
    /// </summary>
    private static string GroupRoom(IReadOnlyList<ScaleProposal> rows)
    {
        var waiting = rows.Where(r => r.Status.Phase == ProposalPhase.Pending).ToList();
        return waiting.Count > 0 && waiting.All(r => r.Spec.Capacity is not null)
            ? CapacityText.Room(CapacitySum.Room([.. waiting.Select(r => r.Spec.Capacity!)]))
            : "";
    }

    private static string WorkloadOf(ScaleProposal row) => $"{row.Metadata.Namespace}/{row.Spec.Target.Name}";

    /// <summary>The status of a group card while any row waits: its buttons are "Approve all" and "Reject all".</summary>
    public const string GroupPending = "group_pending";

    /// <summary>"**feed/gateway** 4 → 8 · pending · 1.2k qps (500 qps/pod)".</summary>
    private string Row(ScaleProposal row)
    {
        var metric = KeyMetric(row.Spec.Evidence);
        var why = metric?.Value is { } value ? $" · {Compact(value)} {metric.Name} ({Compact(metric.Target)}/pod)" : "";
        var phase = row.Status.Phase.ToString().ToLowerInvariant() + (ReturnToNormalRules.IsReturn(row) ? " · return to normal" : "");
        return $"**{row.Metadata.Namespace}/{row.Spec.Target.Name}** {row.Spec.FromReplicas} → {row.Spec.ToReplicas} · {phase}{why}";
    }

    private IReadOnlyDictionary<string, string> BuildOne(ScaleProposal proposal) => Finished(SingleCard(proposal));

    /// <summary>One proposal's card before <see cref="Finished"/> (a group card starts from its lead's and finishes once).</summary>
    private Dictionary<string, string> SingleCard(ScaleProposal proposal)
    {
        var spec = proposal.Spec;
        var status = proposal.Status;
        var workload = $"{proposal.Metadata.Namespace}/{spec.Target.Name}";
        var metric = KeyMetric(spec.Evidence);

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [V.Title] = $"{workload}: {spec.FromReplicas} → {spec.ToReplicas} replicas",
            [V.Workload] = $"{spec.Target.Kind} {workload}",
            [V.Namespace] = proposal.Metadata.Namespace,
            [V.ReplicasFrom] = Number(spec.FromReplicas),
            [V.ReplicasTo] = Number(spec.ToReplicas),
            [V.HalfStepTo] = spec.AlternativeReplicas is { } alt ? Number(alt) : "",
            [V.Reason] = MarkdownText.Line(spec.Reason), // a markdown field: a pin's or prepare's reason is what a person typed, on one line
            [V.CurrentTraffic] = metric?.Value is { } now ? $"{Compact(now)} {metric.Name}" : "",
            [V.PredictedTraffic] = metric?.Predicted is { } predicted ? $"{Compact(predicted)} {metric.Name}" : "",
            [V.PerPodTarget] = metric is not null ? $"{Compact(metric.Target)} {metric.Name}/pod" : "",
            [V.CostDelta] = CostDelta(proposal),
            [V.Room] = (AppliedPart(proposal) ?? spec.Capacity) is { } room ? CapacityText.Room(room) : "",
            [V.OnCall] = string.Join(' ', ApproverRoster.Called(proposal).Select(user => "@" + DisplayName(user))),
            [V.ExpiresAt] = Time(spec.ExpiresAt),
            [V.Status] = status.Phase.ToString().ToLowerInvariant(),
            [V.StatusText] = StatusText(proposal),
            [V.DecidedBy] = DecidedBy(proposal),
            [V.DecidedAt] = DecidedAt(proposal) is { } at ? Time(at) : "",
            [V.Result] = Result(proposal),
            [V.Updated] = Updated(proposal),
            [V.Group] = "",
            [V.Rows] = "",
            [V.UndoTo] = UndoRules.Offered(proposal, status.AppliedAt ?? default, TimeSpan.MaxValue) is null ? Number(spec.FromReplicas) : "",
            [V.UndoAll] = "",
            [V.RowItems] = "",
            [V.AllSeen] = "",
            [V.DetailUrl] = DetailLink(proposal),
        };
    }

    /// <summary>What the change costs; once fewer replicas than asked were applied (Approve half), what was applied.</summary>
    private static string CostDelta(ScaleProposal proposal)
    {
        var spec = proposal.Spec;
        if (spec.Capacity is not { } asked)
        {
            return PodDelta(spec.ToReplicas - spec.FromReplicas);
        }

        return AppliedPart(proposal) is { } part
            ? $"{CapacityText.Change(part)} applied (of {CapacityText.Change(asked with { MilliCpu = null, MemoryBytes = null, CostPerHour = null })} asked)"
            : CapacityText.Change(asked);
    }

    /// <summary>The applied share of the estimate when an applied proposal stopped short of its target; else null.</summary>
    private static CapacityEstimate? AppliedPart(ScaleProposal proposal) => AppliedCost.Of(proposal);

    /// <summary>The text a user sees privately on the card when their tap changed nothing.</summary>
    public static IReadOnlyDictionary<string, string> PrivateMessage(string message) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [V.PrivateMessage] = Truncate(message) };

    /// <summary>The card's details link (the proposal page in DingTalk's side panel); empty without <c>DetailsBaseUrl</c>.</summary>
    public string DetailLink(ScaleProposal proposal) => detailsBaseUrl is null ? "" : DeepLink.ToDingTalkSidePanel(ProposalPage(proposal));

    /// <summary>The proposal page the card's details link opens.</summary>
    public Uri ProposalPage(ScaleProposal proposal)
    {
        var baseUrl = detailsBaseUrl ?? throw new InvalidOperationException("DetailsBaseUrl is not configured.");
        var text = baseUrl.AbsoluteUri.TrimEnd('/');
        return new Uri($"{text}/proposals/{Uri.EscapeDataString(proposal.Metadata.Namespace)}/{Uri.EscapeDataString(proposal.Metadata.Name)}");
    }

    /// <summary>The rules' UTC times inside <paramref name="text"/> in the group's zone (<see cref="GroupTimes.Localize"/>).</summary>
    public string Localize(string text) => _times.Localize(text);

    public string DisplayName(string userId) => userNames.TryGetValue(userId, out var name) ? name : userId;

    /// <summary>
    /// A person's name inside the card's markdown fields (<c>result</c>, <c>rows</c>): an id needs no spaces to be
    /// markup, and one a record written by hand carries (<c>[Approve](dingtalk://…)</c>) must not become a link there.
    /// </summary>
    private string MarkdownName(string userId) => MarkdownText.Escape(DisplayName(userId));

    public string Time(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, timeZone);
        return local.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " + UtcOffsetText.Of(local.Offset);
    }

    internal static int RequiredApprovals(ScaleProposalSpec spec) =>
        spec.RequiresTwoPersons ? Math.Max(2, spec.RequiredApprovals) : Math.Max(1, spec.RequiredApprovals);

    private static MetricEvidence? KeyMetric(DecisionEvidence? evidence) =>
        evidence?.Metrics
            .Where(m => m.Problem is null)
            .OrderByDescending(m => m.Recommendation ?? int.MinValue)
            .FirstOrDefault();

    private string StatusText(ScaleProposal proposal)
    {
        var status = proposal.Status;
        return status.Phase switch
        {
            // Some approvals no longer count, or more are asked than when proposed: how many count, not how many tapped.
            ProposalPhase.Pending when status.ApprovalTally is { } tally => $"Waiting for approval: {tally.Describe(DisplayName)}; expires {Time(proposal.Spec.ExpiresAt)}",
            ProposalPhase.Pending => $"Waiting for approval ({status.Approvals.Where(Doubts(proposal).Recorded(proposal)).Select(a => a.User).Distinct(StringComparer.Ordinal).Count()}/{RequiredApprovals(proposal.Spec)}), expires {Time(proposal.Spec.ExpiresAt)}",
            ProposalPhase.Approved or ProposalPhase.Applying => "Approved, scaling",
            ProposalPhase.Applied => "Applied",
            ProposalPhase.Rejected => "Rejected",
            ProposalPhase.Expired => "Expired: nobody decided in time",
            ProposalPhase.Superseded => status.Supersession?.Action switch
            {
                "pin" => "Superseded by a pin",
                ProposalLifecycle.WithdrawnAction => "No longer needed",
                _ => "Superseded by a newer proposal",
            },
            ProposalPhase.Failed => "Failed",
            _ => status.Phase.ToString(),
        };
    }

    private string DecidedBy(ScaleProposal proposal)
    {
        var status = proposal.Status;
        var doubts = Doubts(proposal);
        if (status.Rejection is { } rejection)
        {
            return doubts.Rejection is { } doubt ? $"{DisplayName(rejection.User)} ({doubt})" : DisplayName(rejection.User);
        }

        // One who approved again after an amendment is named once, for the approval that stands; one ScaleControl did
        // not record is named as the claim it is.
        return string.Join(", ", Reapproval.Standing(proposal.Spec, status.Approvals).Select(a =>
        {
            var notes = new[] { a.Replicas > 0 && a.Replicas != proposal.Spec.ToReplicas ? $"{a.Replicas} replicas" : null, doubts.Approval(proposal, a) }.OfType<string>().ToList();
            return notes.Count > 0 ? $"{DisplayName(a.User)} ({string.Join(", ", notes)})" : DisplayName(a.User);
        }));
    }

    private static DateTimeOffset? DecidedAt(ScaleProposal proposal) => proposal.Status switch
    {
        { Rejection: { } rejection } => rejection.At,
        { Approvals.Count: > 0 } status => status.Approvals.Max(a => a.At),
        { Phase: ProposalPhase.Expired } => proposal.Spec.ExpiresAt,
        _ => null,
    };

    private const string FailedPrefix = "failed: ";

    private string Result(ScaleProposal proposal)
    {
        var status = proposal.Status;
        return status.Phase switch
        {
            ProposalPhase.Applied => $"applied {proposal.Spec.FromReplicas} → {status.AppliedReplicas ?? proposal.Spec.ToReplicas}"
                + (status.AppliedAt is { } at ? $" at {Time(at)}" : "") + UndoText(proposal) + WithdrawnText(proposal) + HoldText(proposal),
            ProposalPhase.Approved or ProposalPhase.Applying => $"scaling {proposal.Spec.FromReplicas} → {ApprovedReplicas(proposal)}",
            // The proposal's message says "failed: …" already (ProposalLifecycle.MarkFailed): the card read "failed: failed: …".
            ProposalPhase.Failed => $"failed: {MarkdownText.Escape(status.Message is { } message ? message.StartsWith(FailedPrefix, StringComparison.Ordinal) ? message[FailedPrefix.Length..] : message : "unknown reason")}",
            ProposalPhase.Superseded => SupersededText(status),
            ProposalPhase.Rejected when Doubts(proposal).Rejection is { } doubt => $"rejected ({doubt})"
                + (string.IsNullOrWhiteSpace(status.Rejection?.Reason) ? "" : $": {MarkdownText.Line(status.Rejection.Reason)}")
                + "; no change. Nothing held back: a new proposal follows while the change is still needed",
            ProposalPhase.Rejected => (string.IsNullOrWhiteSpace(status.Rejection?.Reason) ? "rejected; no change" : $"rejected: {MarkdownText.Line(status.Rejection.Reason)}; no change")
                + HoldText(proposal),
            ProposalPhase.Pending when status.AppliedReplicas is { } done => $"applied {PartFrom(status)}→ {done}{PartApprovedBy(proposal)}" + (status.AppliedAt is { } doneAt ? $" at {Time(doneAt)}" : "")
                + $"; {proposal.Spec.FromReplicas} → {proposal.Spec.ToReplicas} awaits approval",
            ProposalPhase.Expired => "expired: nobody decided in time; no change",
            _ => "",
        };
    }

    /// <summary>
    /// "superseded by a pin to 8 by Zhang San": a pin's change is made in this one's place, so "no change" would be
    /// wrong; a newer proposal's is still to be decided, so this one's ends with no change. A withdrawn one says why
    /// nothing asks for it any more ("no longer needed: … desired 13 = running 13 …").
    /// </summary>
    private string SupersededText(ScaleProposalStatus status) => status switch
    {
        { Supersession.Action: ProposalLifecycle.WithdrawnAction } => $"{MarkdownText.Escape(status.Message ?? "no longer needed")}; no change",
        { Supersession: { Action: "pin" } pin } => $"superseded by a pin to {pin.ToReplicas}"
            + (pin.By is { Length: > 0 } by && by != ProposalLifecycle.SystemUser ? $" by {MarkdownName(by)}" : ""),
        { SupersededBy: { } by } => $"superseded by {by}; no change",
        _ => "superseded; no change",
    };

    /// <summary>"20 ": the count the part already applied started from (a record without its steps says only where it went).</summary>
    private static string PartFrom(ScaleProposalStatus status) =>
        status.AppliedSteps is [.., var last] ? $"{last.From.ToString(CultureInfo.InvariantCulture)} " : "";

    /// <summary>" by Zhang San": who approved the part already applied (the approvals start again for the rest).</summary>
    private string PartApprovedBy(ScaleProposal proposal) =>
        proposal.Status.History.LastOrDefault(h => h.To == ProposalPhase.Approved) is { By.Length: > 0 } approved ? $" by {MarkdownName(approved.By)}" : "";

    /// <summary>The latest change of the target while pending: "updated 10:32:05 UTC: 40 → 60 (2 updates)".</summary>
    private string Updated(ScaleProposal proposal)
    {
        var amendments = proposal.Status.Amendments;
        if (amendments.Count == 0)
        {
            return "";
        }

        var last = amendments[^1];
        var count = amendments.Count > 1 ? $" ({amendments.Count} updates)" : "";
        return $"updated {Time(last.At)}: {last.FromTarget} → {last.ToTarget}{count}";
    }

    /// <summary>"; undone by Zhang San at 10:40:05 UTC: back to 12", or "".</summary>
    private string UndoText(ScaleProposal proposal) =>
        proposal.Status.Undo is { } undo ? $"; undone by {MarkdownName(undo.By)} at {Time(undo.At)}: back to {undo.Replicas}" : "";

    /// <summary>". Undo no longer offered: shop/checkout-api moved to 12 by a pin by Zhang San at 20:14:05 UTC", or "".</summary>
    private string WithdrawnText(ScaleProposal proposal) =>
        proposal.Status.UndoWithdrawn is { } withdrawn
            ? ". Undo no longer offered: " + UndoRules.Describe(withdrawn, $"{proposal.Metadata.Namespace}/{proposal.Spec.Target.Name}", MarkdownName, Time)
            : "";

    /// <summary>" — held until 11:02:00 UTC: no new proposal unless …; who can lift it", or "" when the outcome holds nothing.</summary>
    private string HoldText(ScaleProposal proposal) =>
        ProposalRules.HoldOf(proposal) is { } hold && proposal.Spec.RejectBackoffSeconds > 0 ? $". Held: {hold.Terms(Time(hold.Until))}" : "";

    /// <summary>What the applier scales to: the most cautious of the approvals ScaleControl recorded, as it sizes the step.</summary>
    private int ApprovedReplicas(ScaleProposal proposal) =>
        ProposalLifecycle.ApprovedReplicas(proposal, Doubts(proposal).Recorded(proposal)) is int replicas and > 0 ? replicas : proposal.Spec.ToReplicas;

    /// <summary>What the host says about the proposal's records (<see cref="IRecordSeals"/>); nothing doubted without a host.</summary>
    private RecordDoubts Doubts(ScaleProposal proposal) => seals?.Of(proposal) ?? RecordDoubts.None;

    private static string PodDelta(int delta) => delta >= 0 ? $"+{delta} pods" : $"{delta} pods";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>48213 → "48.2k", 1234567 → "1.2M", 12.345 → "12.35".</summary>
    internal static string Compact(double value) => Math.Abs(value) switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Every value as it goes to DingTalk: the rules' UTC times in the group's zone, then cut to DingTalk's limit (the
    /// zone's longer times count against it).
    /// </summary>
    private Dictionary<string, string> Finished(Dictionary<string, string> map)
    {
        foreach (var key in map.Keys.ToList())
        {
            map[key] = Truncate(_times.Localize(map[key]));
        }

        return map;
    }

    private static string Truncate(string value)
    {
        if (Encoding.UTF8.GetByteCount(value) <= MaxValueBytes)
        {
            return value;
        }

        var builder = new StringBuilder();
        var bytes = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > MaxValueBytes - 3)
            {
                break;
            }

            builder.Append(rune.ToString());
        }

        return builder.Append('…').ToString();
    }
}
