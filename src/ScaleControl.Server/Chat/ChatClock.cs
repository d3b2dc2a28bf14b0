using System.Globalization;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.Server.Chat;

/// <summary>
/// The on-call group's time zone (<c>ScaleControl:DingTalk:TimeZone</c>, the one the cards show): chat reads the times
/// people type in it (<c>prepare … at 20:00</c>) and answers with times in it, the offset always written out
/// (<c>20:00 UTC+08:00</c>), as the card does, so nobody has to know which zone was configured.
/// </summary>
public sealed class ChatClock(TimeZoneInfo zone)
{
    public static readonly ChatClock Utc = new(TimeZoneInfo.Utc);

    public TimeZoneInfo Zone => zone;

    /// <summary>The configured zone; UTC where it is unknown (the options validator refuses that at start when DingTalk is on).</summary>
    public static ChatClock From(IOptions<DingTalkOptions> options) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(options.Value.TimeZone, out var zone) ? new ChatClock(zone) : Utc;

    public string Format(DateTimeOffset? at) =>
        at is { } t ? TimeZoneInfo.ConvertTime(t, zone).ToString("HH:mm", CultureInfo.InvariantCulture) + " " + Offset(t) : "?";

    /// <summary>How the help text names the zone: <c>UTC</c>, or <c>Asia/Shanghai (UTC+08:00 now)</c>.</summary>
    public string Name(DateTimeOffset now) => zone == TimeZoneInfo.Utc ? "UTC" : $"{zone.Id} ({Offset(now)} now)";

    private string Offset(DateTimeOffset at)
    {
        var offset = zone.GetUtcOffset(at);
        return offset == TimeSpan.Zero ? "UTC" : "UTC" + offset.ToString((offset < TimeSpan.Zero ? "\\-" : "\\+") + "hh\\:mm", CultureInfo.InvariantCulture);
    }
}
