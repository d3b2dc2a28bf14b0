using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// Stabilization reads the windows' lowest and highest recommendation from candidates the history keeps as
/// recommendations arrive and age out (<see cref="RecommendationExtremes"/>): it must give exactly what the HPA's scan
/// over the recorded recommendations gives, after any sequence of recommendations (ties in time and count, gaps),
/// trims and a clock that steps back (then the history scans).
/// </summary>
public class RecommendationExtremesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 16)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Stabilize_AfterRandomChanges_EqualsTheScan(int seed)
    {
        var random = new Random(seed);
        var history = new PolicyHistory();
        var time = T0;
        var replicas = 10;
        var kept = 0;
        var scanned = 0;
        for (var step = 0; step < 3_000; step++)
        {
            var action = random.Next(200);
            if (action == 0)
            {
                // The clock stepped back: the history scans until its recommendations have all aged out.
                history.AddRecommendation(time.AddSeconds(-random.Next(1, 400)), random.Next(1, 40));
            }
            else if (action < 12)
            {
                // A trim, now and then from far enough ahead to drop everything.
                history.Trim(time.AddSeconds(random.Next(0, 1_500)), TimeSpan.FromSeconds(random.Next(4) == 0 ? random.Next(0, 30) : random.Next(200, 1_300)));
            }
            else
            {
                time = time.AddSeconds(random.Next(6) == 0 ? 0 : random.Next(1, 3) * 5); // ties in time too
                replicas = random.Next(5) == 0 ? random.Next(1, 40) : Math.Max(1, replicas + random.Next(-2, 3));
                history.AddRecommendation(time, replicas);
            }

            _ = history.RecommendationExtremes is null ? scanned++ : kept++;
            for (var probe = 0; probe < 3; probe++)
            {
                var behavior = new ScalingBehavior
                {
                    ScaleUp = DirectionBehavior.DefaultScaleUp with { StabilizationWindowSeconds = random.Next(3) == 0 ? random.Next(0, 120) : 0 },
                    ScaleDown = DirectionBehavior.DefaultScaleDown with { StabilizationWindowSeconds = random.Next(0, 700) },
                };
                var now = time.AddSeconds(random.Next(0, 10));
                var current = random.Next(1, 40);
                var recommendation = random.Next(1, 40);
                int? window = random.Next(3) == 0 ? random.Next(0, 700) : null;

                Assert.Equal(
                    Scanned(current, recommendation, history, behavior, now, window),
                    ReplicaLimits.Stabilize(current, recommendation, history, behavior, now, window));
            }
        }

        Assert.True(scanned > 100, "the clock never stepped back: the scan's fallback went untested");
        Assert.True(kept > 1_000, "the kept candidates were seldom used");
    }

    [Fact]
    public void Stabilize_TiesInTime_AllCount()
    {
        var history = new PolicyHistory();
        history.AddRecommendation(T0, 9);
        history.AddRecommendation(T0, 4);
        history.AddRecommendation(T0.AddSeconds(10), 6);
        var behavior = new ScalingBehavior { ScaleUp = DirectionBehavior.DefaultScaleUp with { StabilizationWindowSeconds = 60 } };

        // Scale-down held at the highest of the window (9), scale-up at the lowest (4).
        Assert.Equal(9, ReplicaLimits.Stabilize(12, 2, history, behavior, T0.AddSeconds(20)));
        Assert.Equal(4, ReplicaLimits.Stabilize(2, 20, history, behavior, T0.AddSeconds(20)));
    }

    /// <summary>The HPA's scan as the engine made it before the candidates were kept.</summary>
    private static int Scanned(int current, int recommendation, PolicyHistory history, ScalingBehavior behavior, DateTimeOffset now, int? downWindowSeconds)
    {
        var upFrom = now - TimeSpan.FromSeconds(behavior.ScaleUp.StabilizationWindowSeconds);
        var downFrom = now - TimeSpan.FromSeconds(downWindowSeconds ?? behavior.ScaleDown.StabilizationWindowSeconds);
        var up = recommendation;
        var down = recommendation;
        var recorded = history.Recommendations;
        for (var i = recorded.Count - 1; i >= 0; i--)
        {
            var (time, replicas) = recorded[i];
            if (time < upFrom && time < downFrom)
            {
                break;
            }

            up = time > upFrom ? Math.Min(up, replicas) : up;
            down = time > downFrom ? Math.Max(down, replicas) : down;
        }

        if (history.WatchStart is { } start && start.Time > downFrom)
        {
            down = Math.Max(down, start.Replicas);
        }

        return Math.Min(Math.Max(current, up), down);
    }
}
