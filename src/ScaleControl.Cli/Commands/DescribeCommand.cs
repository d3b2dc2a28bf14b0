using System.CommandLine;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl describe policy|proposal ID</c>.</summary>
internal sealed class DescribeCommand : Command
{
    public DescribeCommand()
        : base("describe", "Show one policy or proposal in detail")
    {
        Subcommands.Add(new DescribePolicyCommand());
        Subcommands.Add(new DescribeProposalCommand());
    }
}
