using System.CommandLine;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl policy validate|apply -f FILE</c>.</summary>
internal sealed class PolicyCommand : Command
{
    public PolicyCommand()
        : base("policy", "Validate or apply ScalePolicy files (YAML, several documents per file)")
    {
        Subcommands.Add(new PolicyValidateCommand());
        Subcommands.Add(new PolicyApplyCommand());
    }

    public static Option<string> FileOption() => new("--filename", "-f")
    {
        Description = "Policy file (YAML or JSON, several documents separated by ---); - reads stdin",
        Required = true,
    };
}
