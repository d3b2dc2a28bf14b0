using System.Globalization;
using ScaleControl.Core.Decisions;

namespace ScaleControl.Server.Control.Queries;

/// <summary>
/// The what-if's model of a person approving, as the loop treats a proposal waiting on its card: it is approved
/// <paramref name="delay"/> after it was made, at the count it asks for by then (amended in place while the policy keeps
/// asking the same way); asking the other way or an automatic step replaces it; not approved within the policy's
/// <paramref name="expiry"/>, it expires and nothing is applied. With no delay every proposal is approved at once.
/// </summary>
internal sealed class WhatIfApprovals(TimeSpan delay, TimeSpan expiry)
{
    private Waiting? _waiting;

    public int Made { get; private set; }
    public int Approved { get; private set; }
    public int Expired { get; private set; }

    /// <summary>One evaluation: the count to apply now (null: none) and what happened to the proposal, in words (null: nothing).</summary>
    public (int? ApplyTo, string? Said) Step(DateTimeOffset now, int specReplicas, Decision decision)
    {
        var said = new List<string>();
        var wanted = decision.DesiredReplicas;
        if (decision.Outcome == DecisionOutcome.ApplyNow)
        {
            if (_waiting is { } replaced)
            {
                said.Add($"proposal {replaced.From} → {replaced.To} superseded by an automatic step");
                _waiting = null;
            }

            return (wanted != specReplicas ? wanted : null, Words(said));
        }

        if (decision.Outcome == DecisionOutcome.Propose && wanted != specReplicas)
        {
            if (_waiting is { } open && open.From == specReplicas && Math.Sign(wanted - specReplicas) == Math.Sign(open.To - open.From))
            {
                if (open.To != wanted)
                {
                    _waiting = open with { To = wanted };
                    said.Add($"proposal amended to {open.From} → {wanted}");
                }
            }
            else
            {
                if (_waiting is { } superseded)
                {
                    said.Add($"proposal {superseded.From} → {superseded.To} superseded");
                }

                _waiting = new Waiting(specReplicas, wanted, now);
                Made++;
                if (delay > TimeSpan.Zero)
                {
                    said.Add(delay < expiry
                        ? $"proposed {specReplicas} → {wanted}, approved at {Clock(now + delay)}"
                        : $"proposed {specReplicas} → {wanted}, expires at {Clock(now + expiry)} before the approval");
                }
            }
        }

        if (_waiting is not { } waiting)
        {
            return (null, Words(said));
        }

        if (delay < expiry && now - waiting.Since >= delay)
        {
            _waiting = null;
            Approved++;
            if (delay > TimeSpan.Zero)
            {
                said.Add($"approved {waiting.From} → {waiting.To}, {delay.TotalSeconds:0}s after it was proposed");
            }

            return (waiting.To, Words(said));
        }

        if (now - waiting.Since >= expiry)
        {
            _waiting = null;
            Expired++;
            said.Add($"proposal {waiting.From} → {waiting.To} expired: not approved within {expiry.TotalSeconds:0}s");
        }

        return (null, Words(said));
    }

    private static string? Words(List<string> said) => said.Count == 0 ? null : string.Join("; ", said);

    /// <summary>With its zone, as the TIME column beside it (<c>20:03:00Z</c>).</summary>
    private static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record Waiting(int From, int To, DateTimeOffset Since);
}
