using System.CommandLine;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// A required <c>--for</c> duration option (30m, 2h, 1h30m) parsed at the command line, so mistakes are usage errors
/// named by the option the user typed (the API would name its own field, <c>durationSeconds</c>).
/// </summary>
internal static class DurationOption
{
    /// <summary>The longest freeze, pin or expected event the API takes.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    public static Option<TimeSpan> Create(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        HelpName = "DURATION",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
            if (!Durations.TryParse(text, out var duration) || duration <= TimeSpan.Zero)
            {
                result.AddError($"{name} '{text}' is not a duration such as 30m, 2h or 1h30m");
            }
            else if (duration > Longest)
            {
                result.AddError($"{name} '{text}' is longer than the 7 days ScaleControl allows (at most 7d or 168h)");
            }
            else
            {
                return duration;
            }

            return TimeSpan.Zero;
        },
    };
}
