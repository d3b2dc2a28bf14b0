namespace ScaleControl.Core.Capacity;

/// <summary>
/// What capacity costs per hour (configuration <c>ScaleControl:Cost</c>): per CPU core and per GiB of memory
/// requested, in <see cref="Currency"/> ("¥", "$" or a code like "CNY"). Without prices the card shows resources only.
/// </summary>
public sealed record CostPrices(decimal? CpuHour = null, decimal? MemoryGiBHour = null, string Currency = "")
{
    public static readonly CostPrices None = new();

    public bool IsSet => CpuHour is not null || MemoryGiBHour is not null;
}
