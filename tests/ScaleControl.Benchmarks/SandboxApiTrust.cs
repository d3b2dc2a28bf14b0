using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ScaleControl.Benchmarks;

/// <summary>
/// Trusts exactly the sandbox API's self-signed serving certificate, as kubectl does through the kubeconfig's
/// certificate-authority-data; every other https server is checked as usual.
/// </summary>
internal static class SandboxApiTrust
{
    private static string? s_thumbprint;

    /// <summary>Trusts the certificate in a kubeconfig's certificate-authority-data (base64 of PEM).</summary>
    public static void Trust(string certificateAuthorityData)
    {
        var pem = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(certificateAuthorityData));
        using var certificate = X509Certificate2.CreateFromPem(pem);
        s_thumbprint = certificate.Thumbprint;
    }

    public static bool Validate(HttpRequestMessage request, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None || (certificate is not null && certificate.Thumbprint == s_thumbprint);
}
