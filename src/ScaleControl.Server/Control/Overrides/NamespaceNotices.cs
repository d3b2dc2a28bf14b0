using System.Globalization;
using System.Text;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using ScaleControl.Server.Control.Actuation;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>One policy a namespace-wide override changed, and what the notice says of it beyond the headline (may be empty).</summary>
public sealed record NamespaceChange(ScalePolicy Policy, string Detail);

/// <summary>
/// One group notice for an override of many policies at once (<c>freeze ns/*</c>, <c>unfreeze ns/*</c>), instead of
/// one per policy: 40 policies made 40 messages, and a custom-robot webhook (20 a minute) dropped the ones past its
/// limit and every other notice of that minute, failures included. One per notice route (a group or a webhook), since
/// the policies of a namespace may tell different groups; each lists its policies, at most <see cref="MaxListed"/>
/// then "and K more". Each policy keeps its own record (history) and Event: <see cref="OverrideService"/> writes them.
/// </summary>
public sealed class NamespaceNotices(Announcer announcer)
{
    public const int MaxListed = 10;

    /// <param name="headline">Markdown, already escaped: what happened, by whom and why.</param>
    public async Task AnnounceAsync(
        string @namespace, IReadOnlyList<NamespaceChange> changed, NoticeKind kind, string title, string headline, CancellationToken cancellationToken)
    {
        foreach (var route in changed.Where(c => c.Policy.Spec.Notifications is not null).GroupBy(c => c.Policy.Spec.Notifications!))
        {
            var listed = route.ToList();
            var target = ProposalFactory.TargetOf(listed[0].Policy);
            await announcer.NoticeAsync(route.Key, kind, target, $"{@namespace}: {title} ({Count(listed.Count)})", Markdown(headline, listed, changed.Count), cancellationToken);
        }
    }

    private static string Markdown(string headline, IReadOnlyList<NamespaceChange> listed, int total)
    {
        var text = new StringBuilder(headline);
        text.Append(CultureInfo.InvariantCulture, $" — {Count(listed.Count)}{(listed.Count < total ? $" of {total}" : "")}:\n");
        foreach (var change in listed.Take(MaxListed))
        {
            var target = ProposalFactory.TargetOf(change.Policy);
            text.Append(CultureInfo.InvariantCulture, $"\n- **{target}**{(change.Detail.Length == 0 ? "" : $" {MarkdownText.Line(change.Detail)}")}");
        }

        if (listed.Count > MaxListed)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n- and {listed.Count - MaxListed} more");
        }

        return text.ToString();
    }

    private static string Count(int policies) => policies == 1 ? "1 policy" : $"{policies} policies";
}
