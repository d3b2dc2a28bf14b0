using ScaleControl.Core.Capacity;

namespace ScaleControl.Core.Ports;

/// <summary>The cluster's schedulable nodes and the requests already bound to them.</summary>
public interface IClusterCapacity
{
    /// <summary>Never throws for a cluster problem: a node list it may not read (403) or cannot get is <see cref="ClusterRoom.NotKnown"/>.</summary>
    Task<ClusterRoom> ReadAsync(CancellationToken cancellationToken);
}
