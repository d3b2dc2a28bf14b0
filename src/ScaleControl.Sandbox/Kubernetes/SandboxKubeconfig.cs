namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>Writes a kubeconfig for the sandbox API (plain http, any token), e.g. for <c>kubectl --kubeconfig</c>.</summary>
public static class SandboxKubeconfig
{
    public const string ContextName = "scalecontrol-sandbox";

    public static string Render(Uri serverUrl, string defaultNamespace = "default") =>
        $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {ContextName}
          cluster:
            server: {serverUrl.ToString().TrimEnd('/')}
        users:
        - name: {ContextName}
          user:
            token: sandbox
        contexts:
        - name: {ContextName}
          context:
            cluster: {ContextName}
            user: {ContextName}
            namespace: {defaultNamespace}
        current-context: {ContextName}

        """;

    public static void Write(string path, Uri serverUrl, string defaultNamespace = "default") =>
        File.WriteAllText(path, Render(serverUrl, defaultNamespace));
}
