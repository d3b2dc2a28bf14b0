using System.Diagnostics;

namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>The real kubectl on the PATH, against the sandbox's kubeconfig.</summary>
public static class Kubectl
{
    public static async Task<string> RunAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl {string.Join(' ', args)} failed: {await stderr}");
        }

        return await stdout;
    }

    public static async Task<int> ReplicasAsync(string kubeconfig, string kind, string ns, string name) =>
        int.Parse(await RunAsync(kubeconfig, "get", kind, name, "-n", ns, "-o", "jsonpath={.spec.replicas}"), System.Globalization.CultureInfo.InvariantCulture);
}
