namespace ScaleControl.Prometheus;

/// <summary>
/// How ScaleControl reaches Prometheus (configuration section <c>ScaleControl:Prometheus</c>).
/// The auth and TLS settings mirror those of KEDA's Prometheus scaler, so the same secrets can be reused.
/// </summary>
public sealed class PrometheusOptions
{
    public const string SectionName = "ScaleControl:Prometheus";

    /// <summary>Base URL of the Prometheus server (or a compatible API such as Thanos or Mimir's /prometheus prefix).</summary>
    public Uri? Url { get; set; }

    /// <summary>Time allowed for one HTTP attempt of one query.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most queries in flight at once, across all policies.</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Send queries as POST form bodies (long PromQL, proxies that cap URL length) instead of GET.</summary>
    public bool UsePost { get; set; }

    /// <summary>Retries after an unreachable server, a timeout or a 5xx, with exponential backoff and jitter.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Delay before the first retry; doubles with each further one.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Sent as <c>Authorization: Bearer ...</c>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>File holding the bearer token (a mounted secret or service-account token); re-read when it changes.</summary>
    public string? BearerTokenFile { get; set; }

    public PrometheusBasicAuthOptions BasicAuth { get; set; } = new();

    /// <summary>Extra request headers, e.g. <c>X-Scope-OrgID</c> for multi-tenant Mimir/Cortex.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public PrometheusTlsOptions Tls { get; set; } = new();
}

public sealed class PrometheusBasicAuthOptions
{
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>File holding the password; re-read when it changes.</summary>
    public string? PasswordFile { get; set; }

    public bool IsConfigured => !string.IsNullOrEmpty(Username);
}

public sealed class PrometheusTlsOptions
{
    /// <summary>PEM file with the CA certificate(s) that sign the server's certificate.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate and key for mutual TLS.</summary>
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>Accept any server certificate. For tests and labs only.</summary>
    public bool InsecureSkipVerify { get; set; }
}
