using System.Diagnostics;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Runs a script with Debian's python3-kubernetes (a client nobody here wrote) under Debian's own python3.</summary>
internal static class Python
{
    private const string Prelude = """
        import sys
        from kubernetes import client, config
        config.load_kube_config(config_file=sys.argv[1])

        """;

    /// <summary>The script's standard output; fails the test when it exits non-zero (e.g. the client raised).</summary>
    public static async Task<string> RunAsync(string kubeconfig, string script)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Prelude + script);
        info.ArgumentList.Add(kubeconfig);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience.Of(20));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"python3 failed ({process.ExitCode}): {await stderr}\n{await stdout}");
        return await stdout;
    }
}
