using System.Globalization;

namespace ScaleControl.DingTalk.Cards;

/// <summary>How cards and chat name a time's zone: its offset written out (<c>UTC</c>, <c>UTC+08:00</c>, <c>UTC-03:30</c>), so nobody has to know which zone was configured.</summary>
public static class UtcOffsetText
{
    public static string Of(TimeSpan offset) =>
        offset == TimeSpan.Zero ? "UTC" : "UTC" + offset.ToString((offset < TimeSpan.Zero ? "\\-" : "\\+") + "hh\\:mm", CultureInfo.InvariantCulture);
}
