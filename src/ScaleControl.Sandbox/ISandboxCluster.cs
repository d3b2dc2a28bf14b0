namespace ScaleControl.Sandbox;

/// <summary>
/// What the traffic simulator needs from the sandbox cluster: how many pods of a workload are ready.
/// Implemented by the sandbox Kubernetes API's store; consumed by the traffic simulator's capacity model.
/// </summary>
public interface ISandboxCluster
{
    /// <summary>Ready replicas of a Deployment or StatefulSet, or null when it does not exist.</summary>
    int? GetReadyReplicas(string @namespace, string name);

    /// <summary>Desired replicas (spec.replicas) of a Deployment or StatefulSet, or null when it does not exist.</summary>
    int? GetDesiredReplicas(string @namespace, string name);
}
