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

    private static PolicyStatusView View(string name, int current, int ready, int desired) => new(
        "shop", name, new TargetRef { Kind = TargetRef.DeploymentKind, Name = name }, ScaleMode.Approval, current, ready, desired,
        [], null, null, null, null, null, null);
}
