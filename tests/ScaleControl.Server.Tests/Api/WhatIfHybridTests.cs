using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// <c>whatif</c> on a Hybrid policy splits each decision as the loop does: the automatic allowance (+2 per 10 min
/// here) applied at the step's time, the rest proposed and approved after the approvers' delay.
/// </summary>
public sealed class WhatIfHybridTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    private static ScalePolicy Hybrid(string name) => TestPolicies.Approval("shop", name) with
    {
        Spec = TestPolicies.Approval("shop", name).Spec with { Mode = ScaleMode.Hybrid, AutoApproveMaxStep = new StepLimit { Pods = 2 }, AutoApproveWindowSeconds = 600 },
    };

    [Fact]
    public async Task WhatIf_HybridOnARamp_AllowanceAtOnce_RestApprovedAfterTheDelay()
    {
        // 4 replicas' worth, then within 30 s 10 replicas' worth; the approver answers at the escalation (120 s).
        var from = server.Time.GetUtcNow().AddSeconds(-600);
        var result = await ReplayAsync("hybrid-ramp", Ramp(from, 60, 30, 400, 1000), approvalDelaySeconds: null);

        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        var split = Assert.Single(steps, s => s.TryGetProperty("automaticTo", out _));
        var at = split.GetProperty("time").GetDateTimeOffset();
        Assert.InRange(at, from.AddSeconds(60), from.AddSeconds(105));
        Assert.Equal((4, 6), (split.GetProperty("currentReplicas").GetInt32(), split.GetProperty("automaticTo").GetInt32()));
        var said = split.GetProperty("approval").GetString()!;
        Assert.StartsWith("auto 4 → 6 (allowance +2), proposed 6 → ", said, StringComparison.Ordinal);
        Assert.EndsWith($", approved at {at.UtcDateTime.AddSeconds(120):HH:mm:ss}Z", said, StringComparison.Ordinal); // with its zone
        // The automatic part runs from the next row on; the rest arrives when the approver answers, not before.
        var approved = Assert.Single(steps, s => s.GetProperty("approval").GetString() is { } a && a.StartsWith("approved ", StringComparison.Ordinal));
        Assert.Equal(("approved 6 → 10, 120s after it was proposed", at.AddSeconds(120)), (approved.GetProperty("approval").GetString(), approved.GetProperty("time").GetDateTimeOffset()));
        Assert.All(steps.Where(s => s.GetProperty("time").GetDateTimeOffset() is var t && t > at && t <= at.AddSeconds(120)), s => Assert.Equal(6, s.GetProperty("currentReplicas").GetInt32()));
        Assert.Equal(10, steps[steps.IndexOf(approved) + 1].GetProperty("currentReplicas").GetInt32());
        var summary = result.GetProperty("summary");
        Assert.Equal((2, 1, 1, 1), (summary.GetProperty("changes").GetInt32(), summary.GetProperty("applied").GetInt32(), summary.GetProperty("proposals").GetInt32(), summary.GetProperty("approved").GetInt32()));
    }

    [Fact]
    public async Task WhatIf_HybridSlowRamp_TheWindowsAllowanceLimitsTheAutomaticPart()
    {
        // 4 → 10 replicas' worth over 15 minutes: one pod at a time, each within the per-step allowance, but only +2 per
        // 10 minutes go without asking; once the window has passed the allowance is free again.
        var from = server.Time.GetUtcNow().AddSeconds(-1800);
        var result = await ReplayAsync("hybrid-creep", Ramp(from, 60, 900, 400, 1000), approvalDelaySeconds: null, fromSeconds: 1800);

        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        var automatic = steps.Where(s => s.TryGetProperty("automaticTo", out _))
            .Select(s => (At: s.GetProperty("time").GetDateTimeOffset(), Pods: s.GetProperty("automaticTo").GetInt32() - s.GetProperty("currentReplicas").GetInt32()))
            .ToList();
        Assert.All(automatic, a => Assert.InRange(automatic.Where(b => b.At > a.At.AddSeconds(-600) && b.At <= a.At).Sum(b => b.Pods), 1, 2));
        Assert.True(automatic.Count >= 3, string.Join(", ", automatic)); // more than one window's +2: the window moved on
        Assert.Contains(steps, s => s.GetProperty("approval").GetString() is { } a && a.StartsWith("allowance used up, proposed 6 → 7, approved at ", StringComparison.Ordinal));
        var summary = result.GetProperty("summary");
        Assert.Equal(10, summary.GetProperty("maxReplicas").GetInt32());
        Assert.Equal(automatic.Count, summary.GetProperty("applied").GetInt32());
        Assert.True(summary.GetProperty("approved").GetInt32() >= 1, summary.ToString());
    }

    [Fact]
    public async Task WhatIf_HybridWithoutApprovalDelay_ThePolicysIntentAtOnce()
    {
        var from = server.Time.GetUtcNow().AddSeconds(-600);
        var ramp = Ramp(from, 60, 30, 400, 1000);
        var hybrid = await ReplayAsync("hybrid-at-once", ramp, approvalDelaySeconds: 0);
        var auto = await ReplayAsync("auto-at-once", ramp, approvalDelaySeconds: 0, policy: TestPolicies.Auto("shop", "auto-at-once"));

        var steps = hybrid.GetProperty("steps").EnumerateArray().ToList();
        var split = Assert.Single(steps, s => s.TryGetProperty("automaticTo", out _));
        Assert.StartsWith("auto 4 → 6 (allowance +2), proposed 6 → ", split.GetProperty("approval").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(", approved at once", split.GetProperty("approval").GetString(), StringComparison.Ordinal);
        // The same counts at the same times as a policy that never asks; an Auto replay's rows carry no automaticTo.
        Assert.Equal(Counts(auto), Counts(hybrid));
        Assert.DoesNotContain(auto.GetProperty("steps").EnumerateArray(), s => s.TryGetProperty("automaticTo", out _));
        Assert.Equal(10, hybrid.GetProperty("summary").GetProperty("maxReplicas").GetInt32());
    }

    private static List<(DateTimeOffset, int)> Counts(JsonElement result) =>
        [.. result.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("time").GetDateTimeOffset(), s.GetProperty("currentReplicas").GetInt32()))];

    /// <summary>QPS <paramref name="low"/> until <paramref name="startSeconds"/> after <paramref name="from"/>, rising evenly to <paramref name="high"/> over <paramref name="rampSeconds"/>.</summary>
    private static Func<DateTimeOffset, double> Ramp(DateTimeOffset from, int startSeconds, int rampSeconds, double low, double high) => t =>
        low + ((high - low) * Math.Clamp(((t - from).TotalSeconds - startSeconds) / rampSeconds, 0, 1));

    private async Task<JsonElement> ReplayAsync(string name, Func<DateTimeOffset, double> qps, int? approvalDelaySeconds, int fromSeconds = 600, ScalePolicy? policy = null)
    {
        await server.Policies.UpsertAsync(policy ?? Hybrid(name), default);
        server.Workloads.Add("shop", name, 4);
        server.Metrics.SetHistory(TestPolicies.Query(name), qps);
        using var client = server.ClientWith(ViewerToken);
        using var response = await client.PostJson($"/api/v1/policies/shop/{name}/whatif", new { fromSeconds, stepSeconds = 15, approvalDelaySeconds });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJson();
    }
}
