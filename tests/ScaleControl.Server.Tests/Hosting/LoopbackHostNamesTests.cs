using Microsoft.AspNetCore.Builder;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Tests.Hosting;

/// <summary>
/// Which Host names a sandbox answers to (DNS rebinding): only loopback names when it listens on loopback, any when it
/// was started to listen beyond it — a wildcard included, which the sandbox's own address reads as 127.0.0.1.
/// </summary>
public sealed class LoopbackHostNamesTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:9000")]
    [InlineData("http://[::1]:8080")]
    public void ListeningOnLoopback_OnlyLoopbackNames(string? urls) =>
        Assert.Equal(["localhost", "127.0.0.1", "[::1]"], ListenAddress.LoopbackHostNames(Builder(urls)) ?? []);

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://*:8080")]
    [InlineData("http://+:8080")]
    [InlineData("http://192.168.1.20:8080")]
    public void ListeningBeyondLoopback_AnyName(string urls) =>
        Assert.Null(ListenAddress.LoopbackHostNames(Builder(urls)));

    private static WebApplicationBuilder Builder(string? urls) =>
        WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = urls is null ? [] : ["--urls", urls] });
}
