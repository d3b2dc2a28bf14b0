using System.CommandLine;
using System.CommandLine.Invocation;

namespace ScaleControl.Cli;

/// <summary>
/// <c>--version</c> prints scalectl's own build (<see cref="ThisAssembly.InformationalVersion"/>). The library's own
/// action prints the entry assembly's, which is scalectl's only when scalectl is the process (a host running it, such as
/// a test run, printed its own version).
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static void Replace(RootCommand root)
    {
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new VersionAction();
        }
    }

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(ThisAssembly.InformationalVersion);
        return 0;
    }
}
