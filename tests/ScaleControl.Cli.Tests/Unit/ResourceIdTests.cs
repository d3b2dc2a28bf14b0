using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Tests.Unit;

public class ResourceIdTests
{
    [Fact]
    public void Parse_NamespaceSlashName_UsesBoth()
    {
        var id = ResourceId.Parse("shop/checkout", "default");
        Assert.Equal(new ResourceId("shop", "checkout"), id);
        Assert.Equal("shop/checkout", id.ToString());
    }

    [Fact]
    public void Parse_NameOnly_TakesDefaultNamespace() =>
        Assert.Equal(new ResourceId("feed", "ranker"), ResourceId.Parse("ranker", "feed"));

    [Theory]
    [InlineData("a/b/c")]
    [InlineData("/checkout")]
    [InlineData("shop/")]
    [InlineData("shop/..")] // "." and "..": the URL would resolve them away
    [InlineData("../checkout")]
    [InlineData("shop/.")]
    public void Parse_Malformed_ThrowsReadableError(string text)
    {
        var error = Assert.Throws<CliException>(() => ResourceId.Parse(text, "default"));
        Assert.Contains("NAMESPACE/NAME", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    public void Segment_DotSegment_IsRefusedNotSentForTheUrlToResolve(string name) =>
        Assert.Equal($"'{name}' is not a valid name", Assert.Throws<CliException>(() => ResourceId.Segment(name)).Message);

    [Fact]
    public void Path_DotsInsideAName_AreKept() =>
        Assert.Equal("shop/a..b", new ResourceId("shop", "a..b").Path);

    [Fact]
    public void Path_SpecialCharacters_AreEscaped() =>
        Assert.Equal("shop/a%20b", new ResourceId("shop", "a b").Path);
}
