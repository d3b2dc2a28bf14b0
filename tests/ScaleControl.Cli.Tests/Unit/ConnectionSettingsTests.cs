using ScaleControl.Cli.Api;
using ScaleControl.Cli.Configuration;

namespace ScaleControl.Cli.Tests.Unit;

public sealed class ConnectionSettingsTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("scalectl-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void Resolve_NothingSet_UsesDefaults()
    {
        var settings = Resolve(env: []);

        Assert.Equal(new Uri("http://127.0.0.1:8080/"), settings.Server);
        Assert.Null(settings.Token);
        Assert.Equal("default", settings.DefaultNamespace);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Timeout);
    }

    [Fact]
    public void Resolve_FlagsEnvAndFile_FlagWinsThenEnvThenFile()
    {
        WriteDefaultConfig("server: http://from-file:1\ntoken: file-token\nnamespace: shop\n");

        var fromFile = Resolve(env: []);
        var fromEnv = Resolve(env: new() { ["SCALECTL_SERVER"] = "http://from-env:2", ["SCALECTL_TOKEN"] = "env-token" });
        var fromFlags = Resolve(server: "from-flag:3", token: "flag-token",
            env: new() { ["SCALECTL_SERVER"] = "http://from-env:2", ["SCALECTL_TOKEN"] = "env-token" });

        Assert.Equal(("http://from-file:1/", "file-token"), (fromFile.Server.ToString(), fromFile.Token));
        Assert.Equal(("http://from-env:2/", "env-token"), (fromEnv.Server.ToString(), fromEnv.Token));
        Assert.Equal(("http://from-flag:3/", "flag-token"), (fromFlags.Server.ToString(), fromFlags.Token));
        Assert.Equal("shop", fromFlags.DefaultNamespace);
    }

    [Fact]
    public void Resolve_ConfigVariable_ReadsThatFile()
    {
        var path = Path.Combine(_home, "other.yaml");
        File.WriteAllText(path, "server: https://sc.example.com/base\n");

        var settings = Resolve(env: new() { ["SCALECTL_CONFIG"] = path });

        Assert.Equal(new Uri("https://sc.example.com/base/"), settings.Server);
    }

    [Fact]
    public void Resolve_ExplicitConfigMissing_IsAnError()
    {
        var error = Assert.Throws<CliException>(() => Resolve(config: Path.Combine(_home, "nope.yaml"), env: []));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_MalformedConfig_NamesTheFile()
    {
        WriteDefaultConfig("server: [unclosed\n");
        var error = Assert.Throws<CliException>(() => Resolve(env: []));
        Assert.Contains("config.yaml is not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfigWithAMisspelledKey_NamesTheKey()
    {
        WriteDefaultConfig("server: http://from-file:1\ntokne: file-token\n");

        var error = Assert.Throws<CliException>(() => Resolve(env: []));

        Assert.Contains("'tokne' is not a setting", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc\ndef")]
    [InlineData("abc\u0000def")]
    public void Resolve_TokenWithALineBreakInside_IsAReadableError(string token)
    {
        var error = Assert.Throws<CliException>(() => Resolve(env: new() { ["SCALECTL_TOKEN"] = token }));

        Assert.Equal("the token (--token, SCALECTL_TOKEN or token: in the config file) has a line break or control character in it; a token is one line", error.Message);
    }

    [Theory]
    [InlineData("ftp://x")]
    [InlineData("http://")]
    public void Resolve_BadServer_IsAnError(string server) =>
        Assert.Throws<CliException>(() => Resolve(server: server, env: []));

    [Fact]
    public void Resolve_BadTimeout_IsAnError() =>
        Assert.Throws<CliException>(() => Resolve(timeout: "soon", env: []));

    private void WriteDefaultConfig(string yaml)
    {
        var dir = Path.Combine(_home, ".config", "scalectl");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), yaml);
    }

    private ConnectionSettings Resolve(Dictionary<string, string> env, string? server = null, string? token = null, string? config = null, string? timeout = null)
    {
        env["HOME"] = _home;
        return ConnectionSettings.Resolve(server, token, config, timeout, name => env.GetValueOrDefault(name));
    }
}
