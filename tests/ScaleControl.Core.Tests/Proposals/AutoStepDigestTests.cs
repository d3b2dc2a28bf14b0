using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>Automatic steps to a webhook: the first at once, the rest of the burst as one message per interval.</summary>
public class AutoStepDigestTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly WorkloadRef Checkout = new("shop", "Deployment", "checkout-api");

    private static AutoStepDigest.Step Step(int from, int to, DateTimeOffset at) =>
        new(Checkout, from, to, "qps rising", $"checkout-{to}", at, new NotificationSpec { Webhook = "ops" });

    [Fact]
    public void Add_FirstStepPostedAtOnce_LaterStepsHeld_ThenDueTogether()
    {
        var digest = new AutoStepDigest(Interval);

        Assert.Single(digest.Add("k", Step(4, 7, T0)));
        Assert.Empty(digest.Add("k", Step(7, 12, T0.AddMinutes(1))));
        Assert.Empty(digest.Add("k", Step(12, 15, T0.AddMinutes(2))));
        Assert.Single(digest.Add("other", Step(2, 3, T0.AddMinutes(2)))); // another workload is its own burst

        Assert.Empty(digest.Due(T0.AddMinutes(4)));
        var due = Assert.Single(digest.Due(T0.AddMinutes(5)));
        Assert.Equal([12, 15], due.Select(s => s.To));
        Assert.Empty(digest.Due(T0.AddMinutes(6)));
    }

    [Fact]
    public void Add_AfterAQuietInterval_PostsAtOnceAgain()
    {
        var digest = new AutoStepDigest(Interval);
        digest.Add("k", Step(4, 7, T0));

        Assert.Empty(digest.Due(T0.AddMinutes(5))); // nothing held: the key is forgotten
        Assert.Single(digest.Add("k", Step(7, 5, T0.AddHours(3))));
    }
}
