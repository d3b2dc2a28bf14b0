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

    [Theory]
    [InlineData("")]
    [InlineData("nodot")]
    [InlineData(".name")]
    [InlineData("ns.")]
    public void OutTrackId_WithoutBothParts_IsRejected(string outTrackId) =>
        Assert.False(ProposalIdentity.TryParseOutTrackId(outTrackId, out _, out _));
}
