using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>
/// The sandbox API server's serving certificate: self-signed for 127.0.0.1 and localhost, made at start. kubectl and
/// client-go send a kubeconfig's bearer token only over TLS, so the API's own listener serves https and the kubeconfig
/// carries this certificate as its certificate-authority-data.
/// </summary>
public sealed class SandboxCertificate : IDisposable
{
    private SandboxCertificate(X509Certificate2 certificate)
    {
        Certificate = certificate;
        Pem = certificate.ExportCertificatePem();
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate in PEM, what a kubeconfig's certificate-authority-data holds (base64 of it).</summary>
    public string Pem { get; }

    public static SandboxCertificate Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=scalecontrol-sandbox-apiserver", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var subjectKey = new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false);
        request.CertificateExtensions.Add(subjectKey);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKey));
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        // Kestrel on Linux wants a certificate whose key it can use: round-trip through PKCS#12.
        return new SandboxCertificate(X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null));
    }

    public void Dispose() => Certificate.Dispose();
}
