using System.CommandLine;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl get policies|proposals|history</c>.</summary>
internal sealed class GetCommand : Command
{
    public GetCommand()
        : base("get", "List policies, proposals or the history of actions")
    {
        Subcommands.Add(new GetPoliciesCommand());
        Subcommands.Add(new GetProposalsCommand());
        Subcommands.Add(new GetHistoryCommand());
    }
}
