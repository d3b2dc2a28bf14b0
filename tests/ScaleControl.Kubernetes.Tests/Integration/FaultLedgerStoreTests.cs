using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Faults;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Tests.Infrastructure;

namespace ScaleControl.Kubernetes.Tests.Integration;

/// <summary>
/// The fault ledger is kept in the cluster with one replica too (no leader election, as the sandbox runs): a restart
/// during an outage goes on with the notice it opened — updates and resolves that card — instead of leaving it saying
/// "ongoing" for ever. Composed as the server composes it, against one API server.
/// </summary>
public class FaultLedgerStoreTests
{
    private static readonly DateTimeOffset Since = new(2026, 12, 6, 17, 32, 38, TimeSpan.Zero);

    [Fact]
    public async Task OneReplica_NoLeaderElection_TheLedgerSurvivesARestart()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var before = Store(sandbox.CreateNode());
        FaultRecord open = new("prometheus", "Prometheus unreachable", Since, Opened: true, Announced: true, Since.AddSeconds(34), "Prometheus unreachable", HealthySince: null);

        await before.SaveAsync([open], CancellationToken.None);
        var restarted = Store(sandbox.CreateNode());

        Assert.Equal([open], await restarted.LoadAsync(CancellationToken.None));
    }

    private static IFaultLedgerStore Store(ScaleControlNode node) => node.Services.GetRequiredService<IFaultLedgerStore>();
}
