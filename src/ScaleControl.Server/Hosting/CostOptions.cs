using System.ComponentModel.DataAnnotations;
using ScaleControl.Core.Capacity;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// <c>ScaleControl:Cost</c>: what requested capacity costs per hour, shown on cards, in <c>scalectl describe proposal</c>
/// and the API ("≈ ¥12.80/h"). Unset prices: resources only.
/// </summary>
public sealed class CostOptions
{
    public const string SectionName = "ScaleControl:Cost";

    /// <summary>Price of one requested CPU core for one hour.</summary>
    [Range(0, 1_000_000)]
    public decimal? CpuHour { get; set; }

    /// <summary>Price of one requested GiB of memory for one hour.</summary>
    [Range(0, 1_000_000)]
    public decimal? MemoryGiBHour { get; set; }

    /// <summary>A symbol ("¥", "$") put before the amount, or a three-letter code ("CNY") put after it.</summary>
    [StringLength(8)]
    public string Currency { get; set; } = "";

    public CostPrices Prices => new(CpuHour, MemoryGiBHour, Currency);
}
