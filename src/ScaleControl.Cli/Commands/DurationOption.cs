using System.CommandLine;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary>A required <c>--for</c> duration option (30m, 2h, 1h30m) parsed at the command line, so mistakes are usage errors.</summary>
internal static class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        HelpName = "DURATION",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
            if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero)
            {
                return duration;
            }

            result.AddError($"{name} '{text}' is not a duration such as 30m, 2h or 1h30m");
            return TimeSpan.Zero;
        },
    };
}
