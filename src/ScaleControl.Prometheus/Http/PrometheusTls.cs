using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ScaleControl.Prometheus.Http;

/// <summary>Builds the primary handler: custom CA, client certificate, or (labs only) no verification.</summary>
internal static class PrometheusTls
{
    public static SocketsHttpHandler CreateHandler(PrometheusTlsOptions tls)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // One connection per concurrent query; the concurrency bound is enforced by the metric source.
            MaxConnectionsPerServer = int.MaxValue,
        };

        if (!string.IsNullOrEmpty(tls.CertFile) && !string.IsNullOrEmpty(tls.KeyFile))
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile)];
        }

        if (tls.InsecureSkipVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (!string.IsNullOrEmpty(tls.CaFile))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(tls.CaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is X509Certificate2 leaf && ValidatesAgainst(leaf, roots, errors);
        }

        return handler;
    }

    private static bool ValidatesAgainst(X509Certificate2 leaf, X509Certificate2Collection roots, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            return false;

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
