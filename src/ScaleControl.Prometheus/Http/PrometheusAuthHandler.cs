using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace ScaleControl.Prometheus.Http;

/// <summary>Adds the configured credentials and custom headers to every request sent to Prometheus.</summary>
internal sealed class PrometheusAuthHandler : DelegatingHandler
{
    private readonly PrometheusOptions _options;
    private readonly SecretFile? _tokenFile;
    private readonly SecretFile? _passwordFile;

    public PrometheusAuthHandler(IOptions<PrometheusOptions> options)
    {
        _options = options.Value;
        _tokenFile = string.IsNullOrEmpty(_options.BearerTokenFile) ? null : new SecretFile(_options.BearerTokenFile);
        _passwordFile = string.IsNullOrEmpty(_options.BasicAuth.PasswordFile) ? null : new SecretFile(_options.BasicAuth.PasswordFile);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = CreateAuthorization();
        foreach (var (name, value) in _options.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return base.SendAsync(request, cancellationToken);
    }

    private AuthenticationHeaderValue? CreateAuthorization()
    {
        var token = _tokenFile?.Read() ?? _options.BearerToken;
        if (!string.IsNullOrEmpty(token))
            return new AuthenticationHeaderValue("Bearer", token);

        var basic = _options.BasicAuth;
        if (!basic.IsConfigured)
            return null;
        var password = _passwordFile?.Read() ?? basic.Password ?? "";
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.Username}:{password}"));
        return new AuthenticationHeaderValue("Basic", credentials);
    }
}
