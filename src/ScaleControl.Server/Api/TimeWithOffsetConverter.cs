using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleControl.Server.Api;

/// <summary>
/// A time in a request must say its UTC offset (<c>Z</c>, <c>+08:00</c>), as RFC 3339 and Kubernetes' date-time do:
/// <c>"at":"2026-12-06T20:00:00"</c> was read in the server's own zone — 20:00 UTC in a cluster, 8 hours off for
/// whoever meant Beijing time. Written times are unchanged.
/// </summary>
public sealed class TimeWithOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && HasOffset(reader.GetString()))
        {
            // A time, but none ScaleControl could mean (year 0001, 9999): its range, not "expected a time" (AcceptedTimes).
            if (reader.TryGetDateTimeOffset(out var time))
            {
                return AcceptedTimes.Contains(time) ? time : throw new JsonException(AcceptedTimes.OutOfRangeInBody);
            }

            if (AcceptedTimes.IsWellFormedButUnreadable(reader.GetString()!))
            {
                throw new JsonException(AcceptedTimes.OutOfRangeInBody);
            }
        }

        throw new JsonException(); // the serializer names the field and the type: "expected an RFC 3339 time with its offset"
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>Ends in <c>Z</c> or <c>±hh:mm</c> (or <c>±hhmm</c>).</summary>
    public static bool HasOffset(string? text) =>
        text is { Length: > 10 } t && t.Contains('T', StringComparison.OrdinalIgnoreCase)
        && (t[^1] is 'Z' or 'z' || t.AsSpan(t.IndexOf('T', StringComparison.OrdinalIgnoreCase)).IndexOfAny('+', '-') >= 0);
}
