using System.Diagnostics;
using ScaleControl.Sandbox.Kubernetes;

namespace ScaleControl.Kubernetes.Tests.Infrastructure;

/// <summary>The real kubectl on PATH, pointed at a sandbox through a generated kubeconfig in a temp directory.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("scalecontrol-kubectl-").FullName;
    private readonly string _kubeconfig;

    public Kubectl(Uri server)
    {
        _kubeconfig = Path.Combine(_directory, "kubeconfig");
        SandboxKubeconfig.Write(_kubeconfig, server);
    }

    public async Task<string> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--kubeconfig", _kubeconfig, "--cache-dir", Path.Combine(_directory, "cache"), "--request-timeout", "20s" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _directory;
        info.Environment["KUBECONFIG"] = _kubeconfig;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}\n{await stdout}");
        return await stdout;
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
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
