using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using ScaleControl.DingTalk.Cards;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Automatic steps announced through a custom-robot webhook (no card to update there): the first step of a burst at
/// once, the steps after it coalesced into one message per <see cref="ControlLoopOptions.AutoNoticeDigestSeconds"/>
/// (<see cref="AutoStepDigest"/>), posted by the leader's tick.
/// </summary>
public sealed class AutoStepNotices(Announcer announcer, IOptions<ControlLoopOptions> options, GroupTimes times, TimeProvider time)
{
    private readonly AutoStepDigest _digest = new(TimeSpan.FromSeconds(options.Value.AutoNoticeDigestSeconds));

    public async Task AddAsync(ScalePolicy policy, ScaleProposal step, int from, int to, CancellationToken cancellationToken)
    {
        if (policy.Spec.Notifications is not { } route)
        {
            return;
        }

        var target = ProposalFactory.TargetOf(step);
        var key = $"{route.Webhook}|{(policy.Spec.Group is { } group ? $"{policy.Metadata.Namespace}/group:{group}" : target.ToString())}";
        var now = new AutoStepDigest.Step(target, from, to, step.Spec.Reason, step.Metadata.Name, step.Status.AppliedAt ?? time.GetUtcNow(), route);
        if (_digest.Add(key, now) is { Count: > 0 } post)
        {
            await PostAsync(post, cancellationToken);
        }
    }

    /// <summary>Posts every burst's held steps whose interval has passed, one message each.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var steps in _digest.Due(time.GetUtcNow()))
        {
            await PostAsync(steps, cancellationToken);
        }
    }

    /// <summary>"**shop/checkout-api** scaled automatically **7 → 12 → 15** (2 steps, 20:02:05–20:03:10 UTC+08:00)", a line per workload.</summary>
    private Task PostAsync(IReadOnlyList<AutoStepDigest.Step> steps, CancellationToken cancellationToken)
    {
        var last = steps[^1];
        var lines = steps.GroupBy(s => s.Target).Select(g =>
        {
            var ramp = string.Join(" → ", g.Select(s => s.From).Take(1).Concat(g.Select(s => s.To)));
            var count = g.Count() == 1 ? "" : $" ({g.Count()} steps, {times.Span(g.First().At, g.Last().At)})";
            return (Title: $"{g.Key} scaled {ramp}", Line: $"**{g.Key}** scaled automatically **{ramp}**{count}");
        }).ToList();
        var markdown = $"{string.Join("\n\n", lines.Select(l => l.Line))}\n\n{MarkdownText.Escape(last.Reason)}\n\n"
            + $"Undo: send the robot `undo {last.Target.Namespace}/{last.Proposal}`, or `scalectl undo {last.Target.Namespace}/{last.Proposal}`";
        return announcer.NoticeAsync(last.Route, NoticeKind.ScaledAutomatically, last.Target, lines.Count == 1 ? lines[0].Title : $"{lines.Count} workloads scaled automatically", markdown, cancellationToken);
    }
}
