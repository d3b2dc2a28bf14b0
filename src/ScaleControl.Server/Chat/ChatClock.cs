using System.Globalization;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.Server.Chat;

/// <summary>
/// The on-call group's time zone (<c>ScaleControl:DingTalk:TimeZone</c>, the one the cards show): chat reads the times
/// people type in it (<c>prepare … at 20:00</c>) and answers with times in it, the offset always written out
/// (<c>20:00 UTC+08:00</c>), as the card does, so nobody has to know which zone was configured. A time on another day
/// than today there carries its date (an event announced for tomorrow is not read as tonight).
/// </summary>
public sealed class ChatClock(TimeZoneInfo zone, TimeProvider time)
{
    public TimeZoneInfo Zone => zone;

    /// <summary>The configured zone; UTC where it is unknown (the options validator refuses that at start when DingTalk is on).</summary>
    public static ChatClock From(IOptions<DingTalkOptions> options, TimeProvider time) =>
        new(TimeZoneInfo.TryFindSystemTimeZoneById(options.Value.TimeZone, out var found) ? found : TimeZoneInfo.Utc, time);

    public string Format(DateTimeOffset? at)
    {
        if (at is not { } t)
        {
            return "?";
        }

        var local = TimeZoneInfo.ConvertTime(t, zone);
        var today = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date;
        var format = local.Date == today ? "HH:mm" : "yyyy-MM-dd HH:mm";
        return local.ToString(format, CultureInfo.InvariantCulture) + " " + Offset(t);
    }

    /// <summary>How the help text names the zone: <c>UTC</c>, or <c>Asia/Shanghai (UTC+08:00 now)</c>.</summary>
    public string Name() => zone == TimeZoneInfo.Utc ? "UTC" : $"{zone.Id} ({Offset(time.GetUtcNow())} now)";

    private string Offset(DateTimeOffset at) => UtcOffsetText.Of(zone.GetUtcOffset(at));
}
