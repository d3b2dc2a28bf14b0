using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;
using ScaleControl.Testing.Timing;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>Stopping the README's sandbox with Ctrl+C (SIGTERM) is quiet and clean.</summary>
public sealed class SandboxShutdownTests
{
    [Fact]
    public async Task Sigterm_StopsWithExitCodeZero_WithoutWarningsOnTheWayOut()
    {
        // Live: every Ctrl+C ended with a "Watch of deployments failed … Connection refused (127.0.0.1:6443)" warning and
        // its stack trace per watched resource: the sandbox's API listener stopped on the signal by itself, before the
        // product's watches against it.
        await using var server = await SandboxServer.StartAsync(Fast.Settings());
        await server.Eventually(async () =>
        {
            var status = await server.GetJson("/api/v1/status", SandboxServer.ViewerToken);
            return status.GetProperty("policies").EnumerateArray().Any(p => p.GetProperty("lastEvaluation").ValueKind != JsonValueKind.Null);
        }, "the loop has evaluated a policy (the watches are open)");

        var exitCode = await server.TerminateAsync(Patience.Of(30));

        var output = server.Output;
        var stopping = output.IndexOf("Application is shutting down", StringComparison.Ordinal);
        Assert.True(stopping >= 0, output);
        var afterSignal = output[stopping..].Split('\n');
        Assert.Equal(0, exitCode);
        Assert.DoesNotContain(afterSignal, line => line.Contains(" warn: ", StringComparison.Ordinal) || line.Contains(" fail: ", StringComparison.Ordinal));
    }
}
