using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>The count an expected event's base may not go below, and the words that say what it is.</summary>
public sealed record NowCount(int Replicas, string Words);

/// <summary>
/// What <c>prepare --expect 3x</c> counts as "now". Without an override it is the running count. Under a pin or a
/// freeze the running count is what a person set, not what the traffic needs: a pin of 20 for a 5-pod need made
/// 3x a floor of 60. Then it is the engine's measured need (a dry run of the policy without the override: its raw
/// recommendation, within minReplicas..maxReplicas). With no measurement (the metrics cannot be read) it stays
/// fail-static at the running count, and the words say so.
/// </summary>
public sealed class NeedUnderOverride(PolicyEvaluator evaluator, TimeProvider time)
{
    public async Task<NowCount> ReadAsync(ScalePolicy policy, int running, CancellationToken cancellationToken)
    {
        var spec = policy.Spec;
        var now = time.GetUtcNow();
        var held = ProposalRules.ActivePin(spec, now) is not null ? "pinned"
            : ProposalRules.ActiveFreeze(spec, now) is not null ? "frozen"
            : null;
        if (held is null)
        {
            return new NowCount(running, $"{running} running now");
        }

        string why;
        using var timeout = new CancellationTokenSource(EventBaselineReader.Timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var evaluation = await evaluator.DryRunAsync(policy with { Spec = spec with { Pin = null, Freeze = null } }, deadline.Token);
            if (evaluation.Decision is { RawRecommendation: { } raw })
            {
                var need = Math.Clamp(raw, spec.MinReplicas, spec.MaxReplicas);
                return new NowCount(need, $"{need} needed now ({running} running, {held})");
            }

            why = evaluation.Problem ?? FirstProblem(evaluation) ?? "no metric could be read";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            why = $"no answer within {EventBaselineReader.Timeout.TotalSeconds:0} s";
        }

        return new NowCount(running, $"{running} running now ({held}; no measured need: {why})");
    }

    private static string? FirstProblem(Evaluation evaluation)
    {
        if (evaluation.Decision is not { } decision)
        {
            return null;
        }

        for (var i = 0; i < decision.MetricCount; i++)
        {
            if (decision.MetricAt(i) is { Problem: { } problem } metric)
            {
                return $"{metric.Name}: {problem}";
            }
        }

        return null;
    }
}
