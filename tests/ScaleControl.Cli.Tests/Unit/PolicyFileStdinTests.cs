using ScaleControl.Cli.Api;
using ScaleControl.Cli.Commands;

namespace ScaleControl.Cli.Tests.Unit;

/// <summary><c>-f -</c> reads stdin; its errors name "stdin", not "-" (it read "(- document 1)").</summary>
public class PolicyFileStdinTests
{
    [Fact]
    public void Describe_Stdin_NamesStdin()
    {
        var doc = Assert.Single(PolicyFile.Load("-", "shop", new StringReader("metadata: {name: checkout-api}\nspec: {}\n")));

        Assert.Equal("shop/checkout-api (stdin document 1)", PolicyFile.Describe("-", doc));
    }

    [Theory]
    [InlineData("kind: Deployment\nmetadata: {name: x}\n", "stdin document 1 is a Deployment, not a ScalePolicy")]
    [InlineData("# nothing\n", "stdin holds no policy")]
    [InlineData("metadata: [\n", "stdin is not valid YAML")]
    public void Load_BadStdin_ErrorNamesStdin(string text, string expected)
    {
        var error = Assert.Throws<CliException>(() => PolicyFile.Load("-", "shop", new StringReader(text)));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
