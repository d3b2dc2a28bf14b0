namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl describe proposal</c> marks an approval or a rejection ScaleControl did not record, with the reason the
/// server gives (its <c>verification</c>, the history's words): it listed "by lisi via DingTalk" of an approval written
/// in lisi's name by hand, and "Rejected: by lisi" of a "no" nobody on the roster said. It checks no seal itself.
/// </summary>
public sealed class DescribeUnverifiedTests
{
    private const string Unsigned = "no signature: not recorded by ScaleControl, written by hand";

    private const string Rejected = $$"""
        {
          "metadata": { "name": "checkout-api-up", "namespace": "shop", "creationTimestamp": "2026-12-05T14:00:00Z" },
          "spec": { "policyName": "checkout-api", "target": { "kind": "Deployment", "name": "checkout-api" },
                    "fromReplicas": 6, "toReplicas": 10, "reason": "traffic rising", "requestedBy": "scalecontrol" },
          "status": {
            "phase": "Rejected",
            "appliedSteps": [ { "from": 4, "to": 6, "at": "2026-12-05T14:00:30Z", "approvals": [
              { "user": "zhangsan", "channel": "DingTalk", "at": "2026-12-05T14:00:20Z", "replicas": 6 },
              { "user": "mallory", "channel": "Api", "at": "2026-12-05T14:00:21Z", "replicas": 6 } ] } ],
            "approvals": [
              { "user": "zhangsan", "channel": "DingTalk", "at": "2026-12-05T14:01:00Z", "replicas": 10 },
              { "user": "lisi", "channel": "DingTalk", "at": "2026-12-05T14:01:05Z", "replicas": 10 } ],
            "rejection": { "user": "lisi", "channel": "DingTalk", "at": "2026-12-05T14:01:10Z", "reason": "not now" }
          },
          "verification": {
            "approvals": [
              { "user": "zhangsan", "unverified": false, "reason": null, "label": "zhangsan" },
              { "user": "lisi", "unverified": true, "reason": "{{Unsigned}}", "label": "lisi (unverified: {{Unsigned}})" } ],
            "appliedSteps": [ [
              { "user": "zhangsan", "unverified": false, "reason": null, "label": "zhangsan" },
              { "user": "mallory", "unverified": true, "reason": "{{Unsigned}}", "label": "mallory (unverified: {{Unsigned}})" } ] ],
            "rejection": { "user": "lisi", "unverified": true, "reason": "{{Unsigned}}", "label": "lisi (unverified: {{Unsigned}})" }
          }
        }
        """;

    [Fact]
    public async Task DescribeProposal_RecordsScaleControlDidNotWrite_MarkedWithTheServersReason()
    {
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/proposals/shop/checkout-api-up", Rejected);

        var result = await api.Cli.RunAsync("describe", "proposal", "shop/checkout-api-up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Lines, l => l.Contains($"Applied Step:", StringComparison.Ordinal)
            && l.EndsWith($"approved by zhangsan via DingTalk, mallory (unverified: {Unsigned}) via Api", StringComparison.Ordinal));
        var approved = result.Lines.Where(l => l.StartsWith("Approved:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, approved.Count);
        Assert.Contains("by zhangsan via DingTalk at 2026-12-05 14:01:00Z", approved[0], StringComparison.Ordinal);
        Assert.Contains($"by lisi (unverified: {Unsigned}) via DingTalk at 2026-12-05 14:01:05Z", approved[1], StringComparison.Ordinal);
        Assert.Contains(result.Lines, l => l.StartsWith("Rejected:", StringComparison.Ordinal)
            && l.Contains($"by lisi (unverified: {Unsigned}) via DingTalk at 2026-12-05 14:01:10Z: not now", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeProposal_FromAServerThatDoesNotSay_NamesThePeopleAsBefore()
    {
        var before = Rejected[..Rejected.IndexOf(",\n  \"verification\"", StringComparison.Ordinal)] + "\n}";
        await using var api = await CannedApi.StartAsync("GET", "/api/v1/proposals/shop/checkout-api-up", before);

        var result = await api.Cli.RunAsync("describe", "proposal", "shop/checkout-api-up");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("unverified", result.Output, StringComparison.Ordinal);
        Assert.Contains(result.Lines, l => l.StartsWith("Rejected:", StringComparison.Ordinal) && l.Contains("by lisi via DingTalk", StringComparison.Ordinal));
    }
}
