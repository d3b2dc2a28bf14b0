using Microsoft.Extensions.Options;

namespace ScaleControl.Prometheus;

/// <summary>Checks the Prometheus settings at start-up so a typo fails the host, not the first tick.</summary>
internal sealed class PrometheusOptionsValidator : IValidateOptions<PrometheusOptions>
{
    private static readonly string[] s_reservedHeaders = ["Authorization", "Content-Type", "Content-Length", "Host"];

    public ValidateOptionsResult Validate(string? name, PrometheusOptions options)
    {
        var errors = new List<string>();
        const string P = PrometheusOptions.SectionName;

        if (options.Url is null)
            errors.Add($"{P}:Url is required (e.g. http://prometheus.monitoring:9090).");
        else if (!options.Url.IsAbsoluteUri || options.Url.Scheme is not ("http" or "https"))
            errors.Add($"{P}:Url must be an absolute http or https URL; got '{options.Url}'.");

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
            errors.Add($"{P}:Timeout must be between 0 and 5 minutes; got {options.Timeout}.");
        if (options.MaxConcurrency is < 1 or > 1024)
            errors.Add($"{P}:MaxConcurrency must be between 1 and 1024; got {options.MaxConcurrency}.");
        if (options.Retries is < 0 or > 10)
            errors.Add($"{P}:Retries must be between 0 and 10; got {options.Retries}.");
        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromSeconds(30))
            errors.Add($"{P}:RetryDelay must be between 0 and 30 seconds; got {options.RetryDelay}.");

        var bearer = !string.IsNullOrEmpty(options.BearerToken) || !string.IsNullOrEmpty(options.BearerTokenFile);
        if (!string.IsNullOrEmpty(options.BearerToken) && !string.IsNullOrEmpty(options.BearerTokenFile))
            errors.Add($"{P}: set BearerToken or BearerTokenFile, not both.");
        RequireFile(errors, $"{P}:BearerTokenFile", options.BearerTokenFile);

        var basic = options.BasicAuth;
        var hasPassword = !string.IsNullOrEmpty(basic.Password) || !string.IsNullOrEmpty(basic.PasswordFile);
        if (hasPassword && !basic.IsConfigured)
            errors.Add($"{P}:BasicAuth:Username is required when a password is set.");
        if (!string.IsNullOrEmpty(basic.Password) && !string.IsNullOrEmpty(basic.PasswordFile))
            errors.Add($"{P}:BasicAuth: set Password or PasswordFile, not both.");
        RequireFile(errors, $"{P}:BasicAuth:PasswordFile", basic.PasswordFile);
        if (bearer && basic.IsConfigured)
            errors.Add($"{P}: bearer token and basic auth both set; choose one.");

        foreach (var header in options.Headers.Keys)
        {
            if (s_reservedHeaders.Contains(header, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{P}:Headers:{header} is managed by ScaleControl; use BearerToken or BasicAuth for Authorization.");
            else if (header.Length == 0 || header.Any(c => c <= ' ' || c >= 127 || c == ':'))
                errors.Add($"{P}:Headers: '{header}' is not a valid header name.");
        }

        var tls = options.Tls;
        RequireFile(errors, $"{P}:Tls:CaFile", tls.CaFile);
        RequireFile(errors, $"{P}:Tls:CertFile", tls.CertFile);
        RequireFile(errors, $"{P}:Tls:KeyFile", tls.KeyFile);
        if (string.IsNullOrEmpty(tls.CertFile) != string.IsNullOrEmpty(tls.KeyFile))
            errors.Add($"{P}:Tls: CertFile and KeyFile go together.");
        if (tls.InsecureSkipVerify && !string.IsNullOrEmpty(tls.CaFile))
            errors.Add($"{P}:Tls: InsecureSkipVerify makes CaFile pointless; set one of them.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RequireFile(List<string> errors, string key, string? path)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            errors.Add($"{key}: file '{path}' does not exist.");
    }
}
