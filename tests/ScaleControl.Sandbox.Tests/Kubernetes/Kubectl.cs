using System.Diagnostics;
using ScaleControl.Sandbox.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Runs the real kubectl (on PATH) against a sandbox server through a generated kubeconfig.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("sandbox-kubectl-").FullName;

    public Kubectl(Uri server)
    {
        KubeconfigPath = Path.Combine(_directory, "kubeconfig");
        SandboxKubeconfig.Write(KubeconfigPath, server);
    }

    public string KubeconfigPath { get; }

    public async Task<KubectlResult> RunAsync(params string[] args)
    {
        var result = await RunRawAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({result.ExitCode}): {result.StdErr}\n{result.StdOut}");
        return result;
    }

    public async Task<KubectlResult> RunRawAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
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
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort cleanup of a temp directory
        }
    }
}

internal sealed record KubectlResult(int ExitCode, string StdOut, string StdErr);
