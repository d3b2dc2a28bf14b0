using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Tests.Hosting;

/// <summary>Where the server's address came from, so a taken port's error says what to change there (not always --urls).</summary>
public sealed class UrlsSettingTests
{
    [Fact]
    public void FromTheCommandLine_IsUrlsOption()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:9000"] });

        var setting = UrlsSetting.Of(builder.Configuration, _ => null);

        Assert.Equal(("--urls", "start with --urls http://127.0.0.1:1"), (setting.Name, setting.ChangeTo("http://127.0.0.1:1")));
    }

    [Fact]
    public void FromAJsonFile_NamesTheFile()
    {
        var directory = Directory.CreateTempSubdirectory("scalecontrol-urls-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "appsettings.json"), """{ "urls": "http://127.0.0.1:9000" }""");
            var configuration = new ConfigurationBuilder().SetBasePath(directory).AddJsonFile("appsettings.json").Build();

            var setting = UrlsSetting.Of(configuration, _ => null);

            Assert.Equal(("urls in appsettings.json", "change urls in appsettings.json to http://x:1"), (setting.Name, setting.ChangeTo("http://x:1")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void NotSetAnywhere_IsTheDefault()
    {
        var setting = UrlsSetting.Of(new ConfigurationBuilder().Build(), _ => null);

        Assert.Equal(("the default", "start with --urls http://x:1"), (setting.Name, setting.ChangeTo("http://x:1")));
    }

    [Fact]
    public void LaterSourceWins_CommandLineOverJson()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:1" })
            .AddCommandLine(["--urls", "http://127.0.0.1:2"])
            .Build();

        Assert.Equal("--urls", UrlsSetting.Of(configuration, _ => null).Name);
        Assert.Equal("urls in the configuration", UrlsSetting.Of(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "x" }).Build(), _ => null).Name);
    }
}
