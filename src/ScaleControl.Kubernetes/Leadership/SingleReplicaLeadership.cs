using ScaleControl.Core.Ports;

namespace ScaleControl.Kubernetes.Leadership;

/// <summary>Leader election switched off (<c>Kubernetes:LeaderElection:Enabled=false</c>): this replica always leads.</summary>
public sealed class SingleReplicaLeadership(string identity) : ILeadership
{
    public bool IsLeader => true;

    public string Identity => identity;

    public string? CurrentLeader => identity;

    public long Term => 1;
}
