using System.Globalization;

namespace ScaleControl.Core.Capacity;

/// <summary>
/// The two lines every channel prints for a <see cref="CapacityEstimate"/>:
/// "+8 pods · +4 CPU, +8 GiB · ≈ ¥12.80/h" and "room: 6 of 8 fit — 2 would stay Pending (needs ~1 more node)".
/// </summary>
public static class CapacityText
{
    private const double BytesPerGiB = 1024d * 1024 * 1024;

    public static string Change(CapacityEstimate estimate)
    {
        var parts = new List<string> { $"{Signed(estimate.Pods)} pod{(Math.Abs(estimate.Pods) == 1 ? "" : "s")}" };
        if (estimate.MilliCpu is { } cpu && estimate.MemoryBytes is { } memory && (cpu != 0 || memory != 0))
        {
            parts.Add($"{SignedNumber(cpu / 1000d)} CPU, {SignedNumber(memory / BytesPerGiB)} GiB");
        }

        if (estimate.CostPerHour is { } cost)
        {
            parts.Add($"≈ {Money(cost, estimate.Currency)}/h");
        }

        return string.Join(" · ", parts);
    }

    public static string Room(CapacityEstimate estimate) => estimate.Room switch
    {
        RoomVerdict.Fits => $"room: fits (free {Number((estimate.FreeMilliCpu ?? 0) / 1000d)} CPU on {Nodes(estimate.Nodes ?? 0)}{AfterWaiting(estimate, " after ")})",
        RoomVerdict.Short => $"room: {estimate.Fitting} of {estimate.Pods} fit — {estimate.Pending} would stay Pending"
            + (estimate.NodesNeeded is { } needed ? $" (needs ~{needed} more node{(needed == 1 ? "" : "s")})" : $" ({estimate.Note})")
            + AfterWaiting(estimate, "; counted after "),
        RoomVerdict.Frees => estimate.MilliCpu is { } cpu && cpu != 0
            ? $"room: frees {Number(-cpu / 1000d)} CPU, {Number(-(estimate.MemoryBytes ?? 0) / BytesPerGiB)} GiB"
            : "room: frees pods",
        RoomVerdict.NoRequests => "room: not counted (the pods request no CPU or memory)",
        _ => $"room: unknown{(estimate.Note is { } why ? $" ({why})" : "")}",
    };

    /// <summary>
    /// "now 15 pods · ≈ ¥36.00/h": what a workload runs after its automatic steps, the cost from the newest step's
    /// estimate per pod (<paramref name="step"/>); pods alone without prices.
    /// </summary>
    public static string Running(int pods, CapacityEstimate? step)
    {
        var text = $"now {pods} pod{(pods == 1 ? "" : "s")}";
        return step is { CostPerHour: { } cost, Pods: not 0 } && pods > 0
            ? $"{text} · ≈ {Money(decimal.Round(Math.Abs(cost / step.Pods) * pods, 2), step.Currency)}/h"
            : text;
    }

    /// <summary>" after 6 pods already Pending", or "" when none waited.</summary>
    private static string AfterWaiting(CapacityEstimate estimate, string lead) =>
        estimate.AlreadyPending is > 0 and var waiting ? $"{lead}{waiting} pod{(waiting == 1 ? "" : "s")} already Pending" : "";

    /// <summary>Both lines, for places with one line to spare.</summary>
    public static string Summary(CapacityEstimate estimate) => $"{Change(estimate)} · {Room(estimate)}";

    private static string Nodes(int count) => $"{count} node{(count == 1 ? "" : "s")}";

    private static string Signed(long value) => value >= 0 ? $"+{value}" : value.ToString(CultureInfo.InvariantCulture);

    private static string SignedNumber(double value) => (value >= 0 ? "+" : "") + Number(value);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>"¥12.80" for a symbol, "12.80 CNY" for a code.</summary>
    private static string Money(decimal amount, string? currency)
    {
        var text = Math.Abs(amount).ToString("0.00", CultureInfo.InvariantCulture);
        var sign = amount < 0 ? "-" : "";
        return currency is { Length: 3 } code && code.All(char.IsAsciiLetterUpper) ? $"{sign}{text} {code}" : $"{sign}{currency}{text}";
    }
}
