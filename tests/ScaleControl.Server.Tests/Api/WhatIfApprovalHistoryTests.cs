using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// <c>whatif</c> on an Approval policy: a proposal that waits for its approver changed nothing, so the engine's
/// history (cooldowns, step limits) must not count it as a change. Before, the replay's engine recorded every proposal
/// as applied at once: rows said "cooling down" with nothing applied, and the waiting proposal was amended down and up.
/// </summary>
public sealed class WhatIfApprovalHistoryTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task WhatIf_ApprovalOnARamp_AWaitingProposalIsNoChange_AmendedOnlyUpwards()
    {
        const string name = "approval-ramp";
        var from = server.Time.GetUtcNow().AddSeconds(-1200);
        // A scale-up cooldown: what a change recorded too early (the proposal, not its approval) would set going.
        var policy = TestPolicies.Approval("shop", name);
        policy = policy with { Spec = policy.Spec with { Behavior = policy.Spec.Behavior with { ScaleUp = policy.Spec.Behavior.ScaleUp with { CooldownSeconds = 120 } } } };
        await server.Policies.UpsertAsync(policy, default);
        server.Workloads.Add("shop", name, 4);
        // 4 replicas' worth rising evenly to 12 over ten minutes: the need only grows.
        server.Metrics.SetHistory(TestPolicies.Query(name), t => 400 + (800 * Math.Clamp(((t - from).TotalSeconds - 60) / 600, 0, 1)));
        using var client = server.ClientWith(ViewerToken);
        using var response = await client.PostJson($"/api/v1/policies/shop/{name}/whatif", new { fromSeconds = 1200, stepSeconds = 15, approvalDelaySeconds = 300 });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var steps = (await response.ReadJson()).GetProperty("steps").EnumerateArray().ToList();

        var firstApplied = steps.FindIndex(s => s.GetProperty("approval").GetString() is { } a && a.StartsWith("approved ", StringComparison.Ordinal));
        Assert.True(firstApplied > 0, Rows(steps));
        // Until the first approval nothing changed: no cooldown can hold anything.
        Assert.DoesNotContain(steps.Take(firstApplied), s => s.GetProperty("reason").GetString()!.Contains("cool", StringComparison.OrdinalIgnoreCase));
        // The waiting proposal follows the rising need: amended to more, never back to less.
        var asked = steps.Take(firstApplied).Select(s => s.GetProperty("desiredReplicas").GetInt32()).Where(d => d > 4).ToList();
        Assert.True(asked.SequenceEqual(asked.Order()), Rows(steps));
    }

    private static string Rows(IEnumerable<JsonElement> steps) =>
        string.Join('\n', steps.Select(s => $"{s.GetProperty("time")} {s.GetProperty("currentReplicas")} → {s.GetProperty("desiredReplicas")} {s.GetProperty("approval")} | {s.GetProperty("reason")}"));
}
