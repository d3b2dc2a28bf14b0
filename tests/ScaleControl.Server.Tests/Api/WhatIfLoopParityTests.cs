using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary><c>whatif</c> decides as the loop: on the policy's cadence (the step only sets how often a row is reported), under an owning HPA's floor.</summary>
public sealed class WhatIfLoopParityTests(ServerFactory server) : IClassFixture<ServerFactory>
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

    [Fact]
    public async Task WhatIf_WorkloadOwnedByAnHpa_NeverBelowTheHpasOwnMinimum()
    {
        // Traffic for 2 pods on a workload whose HPA keeps at least 5 (ScaleControl raised its floor to 8): the loop
        // goes down to 5 and holds there (it cannot go below the HPA's own floor), so the replay must not show 2.
        await server.Policies.UpsertAsync(TestPolicies.Auto("video", "hpa-owned"), default);
        server.Workloads.Add("video", "hpa-owned", 8, hpa: new Core.Ports.HpaInfo("hpa-owned", 8, 30, 5));
        server.Metrics.SetHistory(TestPolicies.Query("hpa-owned"), _ => 200);

        var rows = await ReplayAsync(stepSeconds: 15, name: "hpa-owned", fromSeconds: 1200);

        Assert.Equal(5, rows.Min(r => r.Desired));
        Assert.Equal(5, rows[^1].Current);
    }

    private async Task<List<(DateTimeOffset Time, int Current, int Desired)>> ReplayAsync(int stepSeconds, string name = "cadence", int fromSeconds = 600)
    {
        using var client = server.ClientWith(ViewerToken);
        using var response = await client.PostJson($"/api/v1/policies/video/{name}/whatif", new { fromSeconds, stepSeconds });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJson()).GetProperty("steps").EnumerateArray()
            .Select(s => (s.GetProperty("time").GetDateTimeOffset(), s.GetProperty("currentReplicas").GetInt32(), s.GetProperty("desiredReplicas").GetInt32()))];
    }
}
