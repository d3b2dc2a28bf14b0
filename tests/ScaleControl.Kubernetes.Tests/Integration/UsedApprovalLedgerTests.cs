using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Events;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Kubernetes.Tests.Integration;

/// <summary>
/// An approval used by an apply on one replica is seen as used on every other one, and after a restart: the ledger is
/// in the cluster (Events next to the Lease), composed as the server composes it, against one API server.
/// </summary>
public class UsedApprovalLedgerTests
{
    private const string Seal = "q1n8mQ3x0hS3Yc2a8mXk5vJ2l9m0b1c2d3e4f5g6h7i=";
    private static readonly DateTimeOffset At = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RecordedOnOneReplica_IsUsedOnTheOther_EvenWithOneReplicaAndNoLease()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var a = Ledger(sandbox.CreateNode());
        var b = Ledger(sandbox.CreateNode());

        Assert.IsType<EventUsedApprovalLedger>(a);
        Assert.Null(await b.UsedAtAsync(Seal, CancellationToken.None));
        await a.RecordAsync(Seal, "shop/checkout-api-20261206-100000-ab12", At, CancellationToken.None);
        await a.RecordAsync(Seal, "shop/checkout-api-20261206-100000-ab12", At.AddSeconds(5), CancellationToken.None); // a resumed apply

        Assert.Equal(At, await b.UsedAtAsync(Seal, CancellationToken.None));
        Assert.Null(await b.UsedAtAsync("another-seal", CancellationToken.None));
        var record = sandbox.Control.Get("v1", "Event", "scalecontrol-system", EventUsedApprovalLedger.NameOf(Seal))!;
        Assert.Equal(EventUsedApprovalLedger.Reason, (string?)record["reason"]);
        Assert.DoesNotContain(Seal, record.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiServerFailing_Throws_SoTheApplyIsResumedLater()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var ledger = Ledger(sandbox.CreateNode());
        using var broken = sandbox.Control.InjectFault(SandboxFault.ServerError(403) with { Resource = "events" });

        await Assert.ThrowsAsync<StoreUnavailableException>(() => ledger.UsedAtAsync(Seal, CancellationToken.None));
    }

    private static IUsedApprovalLedger Ledger(ScaleControlNode node) => node.Services.GetRequiredService<IUsedApprovalLedger>();
}
