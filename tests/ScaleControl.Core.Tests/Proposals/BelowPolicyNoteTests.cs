using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>A pin below what the policy asks goes through but says so (the API's Warning header, scalectl, the chat answer).</summary>
public class BelowPolicyNoteTests
{
    private static ScalePolicy Asking(int? desired, Func<ScalePolicySpec, ScalePolicySpec>? spec = null) =>
        TestPolicies.WithSpec(Policy(), spec ?? (s => s)) with { Status = new ScalePolicyStatus { DesiredReplicas = desired } };

    [Fact]
    public void BelowPolicyNote_PinBelowTheAsk_SaysBothAndHowLong() =>
        Assert.Equal("note: the policy asks for 28 now; the pin holds 20 for 30m",
            OverrideRules.BelowPolicyNote(Asking(28), 20, TimeSpan.FromMinutes(30), T0));

    [Fact]
    public void BelowPolicyNote_AtOrAboveTheAsk_OrNoAskRecorded_SaysNothing()
    {
        Assert.Null(OverrideRules.BelowPolicyNote(Asking(28), 28, TimeSpan.FromMinutes(30), T0));
        Assert.Null(OverrideRules.BelowPolicyNote(Asking(null), 1, TimeSpan.FromMinutes(30), T0));
    }

    [Fact]
    public void BelowPolicyNote_UnderAPinOrFreeze_TheStatusIsNoAsk_SaysNothing()
    {
        var pinned = Asking(28, s => s with { Pin = new PinSpec { Replicas = 28, Until = T0.AddHours(1) } });
        var frozen = Asking(28, s => s with { Freeze = new FreezeSpec { Until = T0.AddHours(1), Reason = "release" } });

        Assert.Null(OverrideRules.BelowPolicyNote(pinned, 20, TimeSpan.FromMinutes(30), T0));
        Assert.Null(OverrideRules.BelowPolicyNote(frozen, 20, TimeSpan.FromMinutes(30), T0));
        Assert.NotNull(OverrideRules.BelowPolicyNote(frozen, 20, TimeSpan.FromMinutes(30), T0.AddHours(2))); // the freeze has ended
    }

    [Theory]
    [InlineData(20, "20m")]
    [InlineData(60, "1h")]
    [InlineData(90, "1h30m")]
    [InlineData(47 * 60, "47h")]
    [InlineData(60 * 60, "2.5d")]
    public void DurationText_Short(int minutes, string text) =>
        Assert.Equal(text, DurationText.Short(TimeSpan.FromMinutes(minutes)));
}
