namespace ScaleControl.Sandbox;

/// <summary>
/// What the sandbox cluster's metrics need from the traffic simulator: how much a workload is asked to serve.
/// Implemented by the traffic simulator; consumed by the emulated metrics-server (<c>kubectl top</c>).
/// </summary>
public interface ISandboxWorkloadLoad
{
    /// <summary>
    /// The workload's demand averaged over the <paramref name="window"/> that ends now, and what one pod can serve;
    /// null when the simulator does not know the workload.
    /// </summary>
    WorkloadLoad? Load(string @namespace, string workload, TimeSpan window);
}

/// <summary>A workload's demand (requests/s, failed ones included) and the requests/s one ready pod serves at most.</summary>
public sealed record WorkloadLoad(double DemandQps, double PodCapacityQps);
