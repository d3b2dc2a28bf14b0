using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ScaleControl.Kubernetes.Tests.Client;

/// <summary><c>ScaleControl:Kubernetes:Namespaces</c> is checked when the host starts, each bad entry named.</summary>
public class NamespacesOptionTests
{
    [Theory]
    [InlineData("Shop")]
    [InlineData("shop_v2")]
    [InlineData("-shop")]
    [InlineData("shop-")]
    [InlineData("")]
    [InlineData("a123456789b123456789c123456789d123456789e123456789f123456789abcd")]
    public void Namespaces_EntryNotADns1123Label_FailsNamingItsIndexAndValue(string bad)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(["shop", bad]));

        Assert.Contains($"ScaleControl:Kubernetes:Namespaces:1 '{bad}' is not a namespace name: a DNS-1123 label", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Namespaces_MoreThanTheLimit_FailsSayingTheLimit()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve([.. Enumerable.Range(0, 101).Select(i => $"team-{i}")]));

        Assert.Contains("ScaleControl:Kubernetes:Namespaces lists 101 namespaces; at most 100 are allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Namespaces_ValidOrEmpty_Accepted()
    {
        Assert.Equal(["a", "team-7"], Resolve(["team-7", "a"]).Names);
        Assert.True(Resolve([]).IsAll);
    }

    private static Core.Ports.WatchedNamespaces Resolve(List<string> namespaces)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScaleControlKubernetes(o =>
        {
            o.Host = "http://127.0.0.1:9";
            o.Namespaces = namespaces;
        });
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<Core.Ports.WatchedNamespaces>();
    }
}
