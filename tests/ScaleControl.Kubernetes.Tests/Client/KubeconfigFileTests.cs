using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Exceptions;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Tests.Client;

public sealed class KubeconfigFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("scalecontrol-kubeconfig-");

    [Fact]
    public void Load_MatchesKubernetesClientsOwnLoader()
    {
        var path = WriteKubeconfig();

        var ours = KubeconfigFile.Load(path, context: null);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);

        Assert.Equal("https://prod.example.com:6443", ours.Host);
        Assert.Equal(("prod", "sre-token", "shop"), (ours.CurrentContext, ours.AccessToken, ours.Namespace));
        Assert.Equal(
            (theirs.Host, theirs.CurrentContext, theirs.AccessToken, theirs.Namespace, theirs.SkipTlsVerify, theirs.TlsServerName),
            (ours.Host, ours.CurrentContext, ours.AccessToken, ours.Namespace, ours.SkipTlsVerify, ours.TlsServerName));
    }

    [Fact]
    public void Load_RelativeCertificatePath_ResolvesAgainstTheKubeconfigFolder()
    {
        var path = WriteKubeconfig();

        var config = KubeconfigFile.Load(path, context: null);

        var ca = Assert.Single(config.SslCaCerts);
        Assert.Equal("CN=scalecontrol-test-ca", ca.Subject);
    }

    [Fact]
    public void Load_NamedContext_PicksItsClusterUserAndNamespace()
    {
        var config = KubeconfigFile.Load(WriteKubeconfig(), "staging");

        Assert.Equal(("http://staging.example.com:8080", "staging-token", null), (config.Host, config.AccessToken, config.Namespace));
    }

    [Fact]
    public void Load_MissingFileOrUnknownContext_ThrowsKubeConfigException()
    {
        var missing = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(Path.Combine(_directory.FullName, "nope"), null));
        Assert.Contains("not found", missing.Message, StringComparison.Ordinal);

        Assert.Throws<KubeConfigException>(() => KubeconfigFile.Load(WriteKubeconfig(), "no-such-context"));
    }

    private string WriteKubeconfig()
    {
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=scalecontrol-test-ca", key, HashAlgorithmName.SHA256);
        using var ca = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Directory.CreateDirectory(Path.Combine(_directory.FullName, "certs"));
        File.WriteAllText(Path.Combine(_directory.FullName, "certs", "ca.pem"), ca.ExportCertificatePem());

        var path = Path.Combine(_directory.FullName, "config");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            preferences: {}
            clusters:
            - name: prod
              cluster:
                server: https://prod.example.com:6443
                certificate-authority: certs/ca.pem
            - name: staging
              cluster:
                server: http://staging.example.com:8080
            users:
            - name: sre
              user:
                token: sre-token
            - name: staging-user
              user:
                token: staging-token
            contexts:
            - name: prod
              context:
                cluster: prod
                user: sre
                namespace: shop
            - name: staging
              context:
                cluster: staging
                user: staging-user
            current-context: prod
            """);
        return path;
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
