using System.Diagnostics;
using System.Globalization;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Testing.Kubernetes;

/// <summary>
/// The real kubectl on PATH, with its own HOME and cache in a temp directory: either against a sandbox API server
/// through a generated kubeconfig, or with a kubeconfig that exists already (e.g. the one a sandbox-mode server writes).
/// </summary>
public sealed class Kubectl : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("scalecontrol-kubectl-").FullName;

    /// <summary>kubectl against the sandbox API server at <paramref name="server"/>, through a generated kubeconfig.</summary>
    public Kubectl(Uri server)
    {
        KubeconfigPath = Path.Combine(_directory, "kubeconfig");
        SandboxKubeconfig.Write(KubeconfigPath, server);
    }

    /// <summary>kubectl against a sandbox API server as the admin, or with <paramref name="token"/> (over TLS when the server has it).</summary>
    public Kubectl(SandboxKubernetesServer server, string token = SandboxKubeconfig.AdminToken, string defaultNamespace = "default")
    {
        KubeconfigPath = Path.Combine(_directory, "kubeconfig");
        SandboxKubeconfig.Write(KubeconfigPath, server.BaseUri, defaultNamespace, token, server.Certificate?.Pem);
    }

    /// <summary>kubectl with the given kubeconfig file.</summary>
    public Kubectl(string kubeconfigPath) => KubeconfigPath = kubeconfigPath;

    public string KubeconfigPath { get; }

    /// <summary>Runs kubectl and returns its output; a non-zero exit throws with stderr and stdout in the message.</summary>
    public async Task<KubectlResult> RunAsync(params string[] args)
    {
        var result = await RunRawAsync(args);
        return result.ExitCode == 0
            ? result
            : throw new KubectlFailedException($"kubectl {string.Join(' ', args)} failed ({result.ExitCode}): {result.StdErr}\n{result.StdOut}");
    }

    /// <summary>Runs kubectl and returns whatever it did, exit code included.</summary>
    public async Task<KubectlResult> RunRawAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = Patience.Of(60);
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Not left running: a kubectl that hangs is ended, and the caller sees a kubectl failure it may retry.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new KubectlFailedException($"kubectl {string.Join(' ', args)} did not end within {limit.TotalSeconds:0} s: {await stderr}\n{await stdout}");
        }

        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts kubectl without waiting, e.g. for <c>get -w</c>; the caller reads and kills it.</summary>
    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--kubeconfig", KubeconfigPath, "--cache-dir", Path.Combine(_directory, "cache"), "--request-timeout", "20s" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _directory;
        info.Environment["KUBECONFIG"] = KubeconfigPath;
        return Process.Start(info)!;
    }

    /// <summary><c>.spec.replicas</c> of a workload.</summary>
    public async Task<int> ReplicasAsync(string kind, string @namespace, string name) =>
        int.Parse((await RunAsync("get", kind, name, "-n", @namespace, "-o", "jsonpath={.spec.replicas}")).StdOut, CultureInfo.InvariantCulture);

    /// <summary>Writes a file (e.g. a manifest for <c>apply -f</c>) into kubectl's temp directory.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}

public sealed record KubectlResult(int ExitCode, string StdOut, string StdErr);

public sealed class KubectlFailedException(string message) : Exception(message);
