namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// <c>scalectl approve --all</c> / <c>reject --all</c>: every pending row of a group card from a laptop, as the card's
/// "Approve all" (live: in a storm the CLI could approve one proposal of the card at a time). The real binary talks
/// HTTP to a server answering as the API does, which shows what scalectl sent.
/// </summary>
public sealed class ApproveAllTests
{
    private const string ApprovedTwoOfThree = """
        {
          "result": "Accepted",
          "message": "2 of 3 rows approved: feed/feed-api, feed/feed-worker: approved; applied; feed/comments: Not applied: the freeze holds. The proposal still waits.",
          "proposal": null,
          "rows": [
            { "proposal": "feed/feed-api-20261207-064000", "workload": "feed/feed-api", "fromReplicas": 4, "toReplicas": 10, "phase": "Applied", "result": "Accepted", "message": "approved; applied" },
            { "proposal": "feed/feed-worker-20261207-064000", "workload": "feed/feed-worker", "fromReplicas": 2, "toReplicas": 5, "phase": "Applied", "result": "Accepted", "message": "approved; applied" },
            { "proposal": "feed/comments-20261207-064000", "workload": "feed/comments", "fromReplicas": 3, "toReplicas": 6, "phase": "Pending", "result": "Refused", "message": "Not applied: the freeze holds. The proposal still waits." }
          ]
        }
        """;

    private const string AllDuplicates = """
        {
          "result": "Duplicate",
          "message": "0 of 1 rows approved: feed/feed-api: already approved",
          "proposal": null,
          "rows": [
            { "proposal": "feed/feed-api-20261207-064000", "workload": "feed/feed-api", "fromReplicas": 4, "toReplicas": 10, "phase": "Pending", "result": "Duplicate", "message": "already approved" }
          ]
        }
        """;

    private const string RejectedAll = """
        {
          "result": "Accepted",
          "message": "2 of 2 rows rejected: feed/feed-api, feed/comments: rejected",
          "proposal": null,
          "rows": [
            { "proposal": "feed/feed-api-20261207-064000", "workload": "feed/feed-api", "fromReplicas": 4, "toReplicas": 10, "phase": "Rejected", "result": "Accepted", "message": "rejected" },
            { "proposal": "feed/comments-20261207-064000", "workload": "feed/comments", "fromReplicas": 3, "toReplicas": 6, "phase": "Rejected", "result": "Accepted", "message": "rejected" }
          ]
        }
        """;

    [Fact]
    public async Task ApproveAll_SendsAllRows_PrintsOneLinePerRow()
    {
        await using var api = await CannedApi.StartAsync("POST", "/api/v1/proposals/feed/feed-api/approve", ApprovedTwoOfThree);

        var result = await api.Cli.RunAsync("approve", "--all", "feed/feed-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""{"allRows":true}""", Assert.Single(api.Bodies));
        Assert.Equal(
            [
                "card of proposal feed/feed-api: 2 of 3 rows approved",
                "feed/feed-api 4 → 10: approved, Applied: approved; applied",
                "feed/feed-worker 2 → 5: approved, Applied: approved; applied",
                "feed/comments 3 → 6: refused: Not applied: the freeze holds. The proposal still waits.",
            ],
            result.Lines);
    }

    private const string ApprovedByWorkload = """
        {
          "result": "Accepted",
          "message": "approved; applied",
          "proposal": { "metadata": { "name": "feed-api-20261207-064000", "namespace": "feed" }, "spec": { "target": { "kind": "Deployment", "name": "feed-api" } }, "status": { "phase": "Applied" } }
        }
        """;

    [Fact]
    public async Task Approve_IdNamingTheWorkload_PrintsTheProposalTheServerDecided()
    {
        await using var api = await CannedApi.StartAsync("POST", "/api/v1/proposals/feed/feed-api/approve", ApprovedByWorkload);

        var result = await api.Cli.RunAsync("approve", "feed/feed-api");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("proposal feed/feed-api-20261207-064000 approved; phase Applied: approved; applied", result.Lines.Single());
    }

    [Fact]
    public async Task ApproveAll_NoRowAccepted_ExitsNonZeroWithOneLine()
    {
        await using var api = await CannedApi.StartAsync("POST", "/api/v1/proposals/feed/feed-api/approve", AllDuplicates);

        var result = await api.Cli.RunAsync("approve", "--all", "feed/feed-api");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("feed/feed-api 4 → 10: already approved (duplicate, nothing changed)", result.Output, StringComparison.Ordinal);
        Assert.Equal("error: no row of the card of feed/feed-api was approved", result.Error.Trim());
    }

    [Fact]
    public async Task ApproveAll_WithReplicas_OneErrorLine_NothingSent()
    {
        await using var api = await CannedApi.StartAsync("POST", "/api/v1/proposals/feed/feed-api/approve", ApprovedTwoOfThree);

        var result = await api.Cli.RunAsync("approve", "--all", "feed/feed-api", "--replicas", "6");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --all and --replicas cannot be combined: --all approves each row at its own target", result.Error.Trim());
        Assert.Empty(api.Bodies);
    }

    [Fact]
    public async Task RejectAll_SendsTheReasonAndAllRows_PrintsEachRow()
    {
        await using var api = await CannedApi.StartAsync("POST", "/api/v1/proposals/feed/feed-api/reject", RejectedAll);

        var result = await api.Cli.RunAsync("reject", "--all", "feed/feed-api", "--reason", "bot traffic");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""{"reason":"bot traffic","allRows":true}""", Assert.Single(api.Bodies));
        Assert.Equal("feed/comments 3 → 6: rejected, Rejected: rejected", result.Lines[^1]);
    }
}
