using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ScaleControl.Prometheus.Tests;

public sealed class PrometheusOptionsValidatorTests
{
    [Fact]
    public void Validate_MinimalUrl_Succeeds()
    {
        var result = Validate(new() { ["Url"] = "http://prometheus.monitoring:9090" });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("Url", null, "Url is required")]
    [InlineData("Url", "ftp://prometheus:9090", "absolute http or https URL")]
    [InlineData("Timeout", "00:00:00", "Timeout must be between")]
    [InlineData("MaxConcurrency", "0", "MaxConcurrency must be between 1 and 1024")]
    [InlineData("BearerTokenFile", "/nonexistent/token", "file '/nonexistent/token' does not exist")]
    [InlineData("Headers:Authorization", "Bearer x", "Headers:Authorization is managed by ScaleControl")]
    [InlineData("BasicAuth:Password", "secret", "BasicAuth:Username is required")]
    [InlineData("Tls:CertFile", "/etc/hostname", "CertFile and KeyFile go together")]
    public void Validate_BadSetting_NamesTheKeyAndTheProblem(string key, string? value, string message)
    {
        var settings = new Dictionary<string, string?> { ["Url"] = "http://prometheus:9090", [key] = value };

        var result = Validate(settings);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void Validate_BearerAndBasicAuthTogether_Fails()
    {
        var result = Validate(new()
        {
            ["Url"] = "http://prometheus:9090",
            ["BearerToken"] = "t",
            ["BasicAuth:Username"] = "u",
        });

        Assert.Contains("choose one", result.FailureMessage);
    }

    [Fact]
    public void AddScaleControlPrometheus_InvalidOptions_FailWhenResolved()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ScaleControl:Prometheus:Timeout"] = "00:00:05" }).Build();
        using var services = new ServiceCollection().AddLogging().AddScaleControlPrometheus(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PrometheusOptions>>().Value);

        Assert.Contains("ScaleControl:Prometheus:Url is required", error.Message);
    }

    private static ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        var options = new PrometheusOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().Bind(options);
        return new PrometheusOptionsValidator().Validate(null, options);
    }
}
