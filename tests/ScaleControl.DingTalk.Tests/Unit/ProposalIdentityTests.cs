using ScaleControl.DingTalk.Cards;

namespace ScaleControl.DingTalk.Tests.Unit;

public class ProposalIdentityTests
{
    [Fact]
    public void OutTrackId_RoundTrips_NamespaceAndName()
    {
        var id = ProposalIdentity.ToOutTrackId("shop", "checkout-api-7f3a");
        Assert.True(ProposalIdentity.TryParseOutTrackId(id, out var ns, out var name));
        Assert.Equal("shop", ns);
        Assert.Equal("checkout-api-7f3a", name);
    }

    [Fact]
    public void OutTrackId_OfANamedInstance_RoundTrips_InstanceNamespaceAndName()
    {
        var id = ProposalIdentity.ToOutTrackId("prod", "shop", "checkout-api-7f3a");
        Assert.Equal("prod:shop.checkout-api-7f3a", id);
        Assert.True(ProposalIdentity.TryParseOutTrackId(id, out var instance, out var ns, out var name));
        Assert.Equal(("prod", "shop", "checkout-api-7f3a"), (instance, ns, name));
        Assert.True(ProposalIdentity.TryParseOutTrackId("shop.checkout-api-7f3a", out var none, out _, out _));
        Assert.Null(none);
    }

    [Theory]
    [InlineData(":shop.x")]
    [InlineData("prod:.x")]
    [InlineData("prod:shop.")]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData(".name")]
    [InlineData("ns.")]
    public void OutTrackId_WithoutBothParts_IsRejected(string outTrackId) =>
        Assert.False(ProposalIdentity.TryParseOutTrackId(outTrackId, out _, out _));
}
