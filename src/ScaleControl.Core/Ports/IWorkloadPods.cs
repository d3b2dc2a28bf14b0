using ScaleControl.Core.Pods;

namespace ScaleControl.Core.Ports;

/// <summary>Reads the pods of a workload (by its selector, in its namespace), to say why some are not ready.</summary>
public interface IWorkloadPods
{
    /// <summary>
    /// At most <paramref name="max"/> of the workload's unfinished pods, in one request. Never throws for a cluster
    /// problem: a list it may not read (403) or cannot get, or a workload not found, is <see cref="WorkloadPods.Unreadable"/>.
    /// </summary>
    Task<WorkloadPods> ListAsync(WorkloadRef target, int max, CancellationToken cancellationToken);
}
