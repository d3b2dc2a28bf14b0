using System.Globalization;
using System.Text.RegularExpressions;
using ScaleControl.Core.Commands;
using static ScaleControl.DingTalk.Chat.ChatCommandParser;

namespace ScaleControl.DingTalk.Chat;

/// <summary>
/// <c>prepare shop/checkout-api at 20:00 expect 3x for 20m reason push to 30M users</c>, the chat form of
/// <c>scalectl prepare</c>: keywords in any order after the workload, <c>reason</c> last (it takes the rest).
/// Times: <c>20:00</c> (the next one) and <c>2026-12-04 20:00</c> in the chat's time zone (<c>ScaleControl:DingTalk:TimeZone</c>,
/// read when the command runs), <c>+30m</c> (from now) or <c>2026-12-04T20:00+08:00</c> (its own offset wins).
/// </summary>
internal static partial class ChatPrepareParser
{
    /// <summary>Bounds for a typed local date, far outside the service's own (ended, or more than 30 days ahead) and well inside .NET's calendar in any zone.</summary>
    private const int MinYear = 2000;
    private const int MaxYear = 9998;

    public static ParsedCommand Parse(List<string> args)
    {
        if (args.Count < 7)
        {
            return Usage("prepare");
        }

        if (!TryWorkload(args[0], out var ns, out var name, out var error))
        {
            return Fail(error);
        }

        EventTime? at = null;
        TimeSpan? duration = null;
        double? multiplier = null;
        int? replicas = null;
        var reason = "";
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var keyword = args[i].ToLowerInvariant();
            if (keyword == "reason")
            {
                reason = Reason(args.Skip(i + 1));
                break;
            }

            if (keyword is "at" or "for" or "expect" or "replicas" && !given.Add(keyword))
            {
                // "expect 2x expect 3x" (a correction typed on, a paste): which one was meant is a guess, and it sizes the floor.
                return Fail($"`{keyword}` is given twice; give it once: `{Grammar.First(g => g.Verb == "prepare").Usage}`");
            }

            if (i + 1 >= args.Count)
            {
                return Fail($"`{Short(args[i])}` needs a value; usage: `{Grammar.First(g => g.Verb == "prepare").Usage}`");
            }

            var value = args[++i];
            if (keyword == "at" && i + 1 < args.Count && LocalDate().IsMatch(value) && LocalClock().IsMatch(args[i + 1]))
            {
                value += "T" + args[++i]; // "at 2026-12-04 20:00": the date and the time are two words
            }

            switch (keyword)
            {
                case "at" when TryTime(value) is { Local.Year: < MinYear or > MaxYear }:
                    // Year 1 at 00:00 in Beijing is no instant .NET can hold: resolving it threw ("failed inside ScaleControl").
                    return Fail($"time `{Short(value)}`: the year must be {MinYear} to {MaxYear} (and the event within 30 days)");
                case "at" when TryTime(value) is { } time:
                    at = time;
                    break;
                case "at":
                    return Fail($"time `{Short(value)}` must read like `20:00`, `2026-12-04 20:00` (the chat's time zone), `+30m` or `2026-12-04T20:00+08:00`");
                case "for" when TryDuration(value, out var length, out _):
                    duration = length;
                    break;
                case "for":
                    return Fail($"duration `{Short(value)}` must read like `20m`, `2h` or `1h30m` (at most 7 days)");
                case "expect" when Multiple().Match(value) is { Success: true } m
                    && double.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var x) && x is > 0 and <= 100:
                    multiplier = x;
                    break;
                case "expect":
                    return Fail($"`expect {Short(value)}` must be a multiple such as `3x` (more than 0, at most 100)");
                case "replicas" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 10_000:
                    replicas = n;
                    break;
                case "replicas":
                    return Fail($"`replicas {Short(value)}` must be a whole number from 1 to 10000");
                default:
                    return Fail($"unknown word `{Short(args[i - 1])}`; usage: `{Grammar.First(g => g.Verb == "prepare").Usage}`");
            }
        }

        if (at is null || duration is null)
        {
            return Fail("say when and for how long: `at 20:00 … for 20m`");
        }

        if ((multiplier is null) == (replicas is null))
        {
            return Fail("give exactly one of `expect 3x` and `replicas 30`");
        }

        if (reason.Length == 0)
        {
            return Fail("say why, last: `reason push to 30M users`");
        }

        return reason.Length > MaxReasonLength
            ? Fail($"reason too long (at most {MaxReasonLength} characters)")
            : new ParsedCommand(new PrepareCommand(ns, name, at, duration.Value, multiplier, replicas, reason), null);
    }

    private static EventTime? TryTime(string text)
    {
        // A look-ahead may be longer than a pin's 7 days: the service refuses beyond its own limit, saying so.
        if (text.StartsWith('+') && (TryDuration(text[1..], out var after, out _) || after > MaxDuration))
        {
            return new EventTime { After = after };
        }

        if (TimeOnly.TryParseExact(text, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var clock))
        {
            return new EventTime { Clock = clock };
        }

        if (DateTime.TryParseExact(text, ["yyyy-MM-dd'T'H:mm", "yyyy-MM-dd'T'HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new EventTime { Local = local };
        }

        // Anything else must carry its offset (or Z), which then wins over the chat's time zone.
        return text.Contains('T', StringComparison.Ordinal) && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var absolute)
            ? new EventTime { Absolute = absolute }
            : null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex LocalDate();

    [GeneratedRegex(@"^\d{1,2}:\d{2}$")]
    private static partial Regex LocalClock();

    [GeneratedRegex(@"^(\d{1,3}(?:\.\d{1,2})?)[x×]$", RegexOptions.IgnoreCase)]
    private static partial Regex Multiple();
}
