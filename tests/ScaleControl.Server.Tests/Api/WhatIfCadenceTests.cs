using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary><c>whatif</c> evaluates the policy on the loop's cadence; the step only sets how often a row is reported.</summary>
public sealed class WhatIfCadenceTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task WhatIf_StepShorterThanTheEvaluationInterval_DecidesAtThePolicysIntervalAsTheLoop()
    {
        // A ramp from 2 to 12 pods' worth over 4 minutes, read with a 1 s and a 5 s step (the policy evaluates every 5 s).
        var policy = TestPolicies.Auto("video", "cadence");
        await server.Policies.UpsertAsync(policy, default);
        server.Workloads.Add("video", "cadence", 2);
        var from = server.Time.GetUtcNow().AddSeconds(-600);
        server.Metrics.SetHistory(TestPolicies.Query("cadence"), t => 200 + (1000 * Math.Clamp(((t - from).TotalSeconds - 120) / 240, 0, 1)));

        var fine = await ReplayAsync(stepSeconds: 1);
        var coarse = await ReplayAsync(stepSeconds: 5);

        var interval = policy.Spec.EvaluationIntervalSeconds;
        Assert.All(fine, row => Assert.Equal(0, (row.Time - fine[0].Time).TotalSeconds % interval));
        Assert.Equal(coarse, fine);
    }

    private async Task<List<(DateTimeOffset Time, int Current, int Desired)>> ReplayAsync(int stepSeconds)
    {
        using var client = server.ClientWith(ViewerToken);
        using var response = await client.PostJson("/api/v1/policies/video/cadence/whatif", new { fromSeconds = 600, stepSeconds });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJson()).GetProperty("steps").EnumerateArray()
            .Select(s => (s.GetProperty("time").GetDateTimeOffset(), s.GetProperty("currentReplicas").GetInt32(), s.GetProperty("desiredReplicas").GetInt32()))];
    }
}
