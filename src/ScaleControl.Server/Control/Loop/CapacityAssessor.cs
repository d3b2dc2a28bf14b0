using Microsoft.Extensions.Options;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// Puts the cost and room of a change on its proposal (<see cref="CapacityCalculator"/> over the workload's pod
/// requests, the nodes read through <see cref="IClusterCapacity"/> and the configured prices). Never fails a
/// proposal: anything it cannot read shows as "room: unknown".
/// </summary>
public sealed class CapacityAssessor(IWorkloadClient workloads, IClusterCapacity cluster, IOptions<CostOptions> cost, TimeProvider time, ILogger<CapacityAssessor> logger)
{
    public async Task<ScaleProposal> WithCapacityAsync(ScaleProposal proposal, WorkloadState? workload, CancellationToken cancellationToken)
    {
        try
        {
            workload ??= await workloads.GetAsync(ProposalFactory.TargetOf(proposal), cancellationToken);
            var estimate = await EstimateAsync(proposal.Spec.FromReplicas, proposal.Spec.ToReplicas, workload, cancellationToken);
            return proposal with { Spec = proposal.Spec with { Capacity = estimate } };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.CapacityUnknown(ex, proposal.Key);
            return proposal with { Spec = proposal.Spec with { Capacity = new CapacityEstimate { Pods = proposal.Spec.ToReplicas - proposal.Spec.FromReplicas, Note = "could not be assessed", AssessedAt = time.GetUtcNow() } } };
        }
    }

    /// <summary>
    /// The cost and room of <paramref name="workload"/> going from <paramref name="from"/> to <paramref name="to"/>
    /// replicas now (a proposal's, or an expected event's floor): the nodes are read only when it grows and its pods
    /// request something.
    /// </summary>
    public async Task<CapacityEstimate> EstimateAsync(int from, int to, WorkloadState? workload, CancellationToken cancellationToken)
    {
        var perPod = workload?.PodRequests;
        var growing = to > from && perPod is { IsEmpty: false };
        var room = growing ? await cluster.ReadAsync(cancellationToken) : null;
        return CapacityCalculator.Estimate(from, to, perPod, room, cost.Value.Prices, time.GetUtcNow());
    }
}
