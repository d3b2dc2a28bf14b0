using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Events;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Kubernetes.Tests.Integration;

/// <summary>
/// A DingTalk HTTP callback signature used on one replica is refused on every other one (the replay-to-another-pod
/// gap of docs/security.md): two replicas composed as the server composes them, against one API server.
/// </summary>
public class CallbackReplayLedgerTests
{
    private const string Signature = "I85VWQbGCqbDkjEb7rsCEkTKI9QSL3wzLms54MiwXlg=";

    [Fact]
    public async Task SignatureClaimedOnOneReplica_IsRefusedOnTheOther_AndLeavesNoCredentialInTheCluster()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var a = Ledger(sandbox.CreateNode(o => o.LeaderElection.Enabled = true));
        var b = Ledger(sandbox.CreateNode(o => o.LeaderElection.Enabled = true));

        Assert.IsType<EventCallbackReplayLedger>(a);
        Assert.True(await a.TryClaimAsync(Signature, CancellationToken.None));
        Assert.False(await b.TryClaimAsync(Signature, CancellationToken.None));
        Assert.False(await a.TryClaimAsync(Signature, CancellationToken.None));
        Assert.True(await b.TryClaimAsync("another-signature", CancellationToken.None));

        var claim = sandbox.Control.Get("v1", "Event", "scalecontrol-system", EventCallbackReplayLedger.NameOf(Signature))!;
        Assert.Equal(EventCallbackReplayLedger.Reason, (string?)claim["reason"]);
        Assert.Equal("Lease", (string?)claim["involvedObject"]!["kind"]);
        Assert.DoesNotContain(Signature, claim.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiServerFailing_Throws_SoTheCallbackIsRefused()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var ledger = Ledger(sandbox.CreateNode(o => o.LeaderElection.Enabled = true));
        using var broken = sandbox.Control.InjectFault(SandboxFault.ServerError(403) with { Resource = "events" });

        await Assert.ThrowsAnyAsync<Exception>(() => ledger.TryClaimAsync(Signature, CancellationToken.None));
    }

    [Fact]
    public async Task OneReplica_NeedsNoClusterLedger()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();

        Assert.IsType<ProcessOnlyReplayLedger>(Ledger(sandbox.CreateNode()));
    }

    private static ICallbackReplayLedger Ledger(ScaleControlNode node) => node.Services.GetRequiredService<ICallbackReplayLedger>();
}
