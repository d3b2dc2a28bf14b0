using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ScaleControl.Prometheus.Tests.Infrastructure;

/// <summary>A self-signed server certificate for localhost/127.0.0.1 and its PEM file, acting as its own CA.</summary>
internal sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=scalecontrol-test-prometheus", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        Server = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        CaFile = Path.Combine(Path.GetTempPath(), $"scalecontrol-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CaFile, created.ExportCertificatePem());
    }

    public X509Certificate2 Server { get; }

    public string CaFile { get; }

    public void Dispose()
    {
        Server.Dispose();
        File.Delete(CaFile);
    }
}
