namespace ScaleControl.Core.Capacity;

/// <summary>What one pod asks the scheduler for: CPU in millicores, memory in bytes (0 when not requested).</summary>
public sealed record PodResources(long MilliCpu, long MemoryBytes)
{
    public static readonly PodResources None = new(0, 0);

    public bool IsEmpty => MilliCpu <= 0 && MemoryBytes <= 0;
}
