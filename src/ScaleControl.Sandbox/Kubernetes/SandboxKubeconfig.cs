namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>
/// Writes a kubeconfig for the sandbox API (plain http), e.g. for <c>kubectl --kubeconfig</c>: by default with the
/// admin's token, or with another bearer token (a ServiceAccount's, a named user's) whose requests RBAC checks.
/// </summary>
public static class SandboxKubeconfig
{
    public const string ContextName = "scalecontrol-sandbox";

    /// <summary>The admin's bearer token (system:masters).</summary>
    public const string AdminToken = "sandbox";

    /// <param name="certificateAuthorityPem">The https server's certificate (kubectl sends the token only over TLS).</param>
    public static string Render(Uri serverUrl, string defaultNamespace = "default", string token = AdminToken, string? certificateAuthorityPem = null) =>
        $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {serverUrl.ToString().TrimEnd('/')}{(certificateAuthorityPem is null ? "" : "\n    certificate-authority-data: " + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificateAuthorityPem)))}
        users:
        - name: {ContextName}
          user:
            token: {token}
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {ContextName}
            namespace: {defaultNamespace}
        current-context: {ContextName}

        """;

    public static void Write(string path, Uri serverUrl, string defaultNamespace = "default", string token = AdminToken, string? certificateAuthorityPem = null) =>
        File.WriteAllText(path, Render(serverUrl, defaultNamespace, token, certificateAuthorityPem));
}
