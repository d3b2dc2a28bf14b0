using System.Globalization;
using System.Text.RegularExpressions;

namespace ScaleControl.Server.Api;

/// <summary>
/// The times a request may carry, in a query or a body. A well-formed time far outside anything ScaleControl records
/// (<c>0001-01-01T00:00:00Z</c>, <c>9999-12-31T23:59:59-01:00</c>, which .NET cannot even hold) was refused as "not a
/// time", or read and then overflowed a window computed from it; it is a value out of range, and the error says the range.
/// Nothing here happened before the Unix epoch, and the bound above leaves room to add durations to a time.
/// </summary>
public static partial class AcceptedTimes
{
    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(2999, 12, 31, 23, 59, 59, TimeSpan.Zero);

    /// <summary>What follows the field's name in the error: "at must be between …".</summary>
    public const string Range = "must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z";

    /// <summary>What the JSON converter throws; the body's error handler puts the field path in front (BadRequestHandler).</summary>
    internal const string OutOfRangeInBody = "The time is out of range: " + Range + ".";

    public static bool Contains(DateTimeOffset time) => time >= Earliest && time <= Latest;

    /// <summary>
    /// Written as RFC 3339 with its offset and a real date and time of day, but a year .NET cannot hold (0000, or 9999/0001
    /// with an offset that takes it past the end): the same text in year 2000 reads.
    /// </summary>
    public static bool IsWellFormedButUnreadable(string text) =>
        Rfc3339().Match(text) is { Success: true } m
        && DateTimeOffset.TryParse(string.Concat("2000", text.AsSpan(m.Groups["year"].Length)), CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex(@"^(?<year>\d{4})-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
