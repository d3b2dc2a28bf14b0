using ScaleControl.Core.Policies;
using ScaleControl.DingTalk.Cards;
using ScaleControl.Server.Chat;
using ScaleControl.Server.Control.Queries;

namespace ScaleControl.Server.Tests.Control;

/// <summary>The robot's answers as a phone shows them.</summary>
public sealed class ChatAnswersTests
{
    [Fact]
    public void Status_PodsNotReady_SaysHowManyAreReady()
    {
        // Live storm: chat said "checkout-api 14 → 25 replicas" while 7 of the 14 pods were Pending (no room on the
        // nodes); the dashboard and scalectl showed READY 7, the chat nothing.
        var starting = View("checkout-api", current: 14, ready: 7, desired: 25);
        var settled = View("feed-api", current: 4, ready: 4, desired: 4);

        var markdown = ChatAnswers.Status([starting, settled], new GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;

        Assert.Contains("**shop/checkout-api** 14 → 25 replicas (7 ready) · Approval", markdown, StringComparison.Ordinal);
        Assert.Contains("**shop/feed-api** 4 replicas · Approval", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_ObservePolicy_SaysWhatItWouldRunNotAnArrow_AndComparesWhenAskedAlone()
    {
        var since = new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);
        var observing = View("search-api", current: 4, ready: 4, desired: 9) with
        {
            Mode = ScaleMode.Observe,
            Observation = new ObservationStatus
            {
                Since = since, LastObserved = since.AddHours(2), WouldReplicas = 9, RunningReplicas = 4, ObservedSeconds = 7200,
                DifferentSeconds = 1800, PodSecondsMore = 9000, PodSecondsLess = 0, WouldChanges = 3, WorkloadChanges = 1,
            },
        };

        var markdown = ChatAnswers.Status([observing], new GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;

        Assert.Contains("**shop/search-api** 4 replicas · Observe: would run 9, nothing written", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("4 → 9", markdown, StringComparison.Ordinal);
        Assert.Contains(
            "\n👁 since 09:00 UTC, over 2h observed: would have run another count 25% of the time, 2.5 pod-hours more and 0 less than ran; would have scaled 3 times, the workload changed once",
            markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_OneWorkload_SaysWhatTheDecisionSawAndWhy()
    {
        // Storm: "checkout-api 4 → 8" alone left the on-call person asking why; scalectl showed the metric and reason, chat did not.
        var qps = new MetricStatusView("qps", 1650, 1920, "Ok", null, 200, MetricTargetType.PerReplica);
        var latency = new MetricStatusView("p99", null, null, "Missing", "no data for 45s");
        var checkout = View("checkout-api", current: 4, ready: 4, desired: 8) with
        {
            Metrics = [qps, latency],
            LastReason = "qps 1650 over 4 replicas is above the target 200; scale up (an approver can lift it with scalectl scale)",
        };

        var markdown = ChatAnswers.Status([checkout], new GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;

        Assert.Contains("\n📈 `qps` 1650 → 1920 predicted (target 200/replica)", markdown, StringComparison.Ordinal);
        Assert.Contains("\n📈 `p99` unknown: no data for 45s", markdown, StringComparison.Ordinal);
        Assert.Contains("\nWhy: qps 1650 over 4 replicas is above the target 200; scale up (an approver can lift it with `scale`)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_SeveralWorkloads_KeepsOneLineEach()
    {
        var qps = new MetricStatusView("qps", 1650, null, "Ok", null, 200, MetricTargetType.PerReplica);
        var checkout = View("checkout-api", current: 4, ready: 4, desired: 8) with { Metrics = [qps], LastReason = "scale up" };
        var feed = View("feed-api", current: 4, ready: 4, desired: 4) with { Metrics = [qps], LastReason = "within tolerance" };

        var markdown = ChatAnswers.Status([checkout, feed], new GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;

        Assert.DoesNotContain("📈", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Why:", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_WorkloadNotFound_SaysWhyInsteadOfAQuestionMarkAlone()
    {
        // New user: samples/prometheus/policies/search-api.yaml applies in the sandbox, which seeds no search-api;
        // `status shop` said "shop/search-api ? replicas" with no why, while scalectl status showed the reason.
        var checkout = View("checkout-api", current: 4, ready: 4, desired: 4) with { LastReason = "within tolerance" };
        var search = View("search-api", current: 0, ready: 0, desired: 0) with
        {
            CurrentReplicas = null, ReadyReplicas = null, DesiredReplicas = null, LastReason = "Deployment shop/search-api not found",
        };

        var markdown = ChatAnswers.Status([checkout, search], new GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;

        Assert.Contains("**shop/search-api** ? replicas · Approval\nDeployment shop/search-api not found", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("within tolerance", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void History_MoreRowsThanAPhoneShows_SaysHowManyOlderAreLeftOut()
    {
        // Live storm: 28 rows in 24 h, the answer showed the newest 12 and ended there, reading as the whole day.
        var start = new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
        var rows = Enumerable.Range(0, 28)
            .Select(i => new HistoryEntry(start.AddMinutes(-i), "shop", "checkout-api", "checkout-api", HistoryKind.AutoScaled, 4, 5, "scalecontrol", "Auto", "scaled", null))
            .ToList();

        var markdown = ChatAnswers.History("shop", "checkout-api", rows, new GroupTimes(TimeZoneInfo.Utc, TimeProvider.System)).Markdown;

        Assert.Equal(ChatAnswers.MaxLines, markdown.Split("\n- ").Length - 1);
        Assert.EndsWith("\n\n… and 16 older: `scalectl get history --since 24h`", markdown, StringComparison.Ordinal);
    }

    private static PolicyStatusView View(string name, int current, int ready, int desired) => new(
        "shop", name, new TargetRef { Kind = TargetRef.DeploymentKind, Name = name }, ScaleMode.Approval, current, ready, desired,
        [], null, null, null, null, null, null);
}
