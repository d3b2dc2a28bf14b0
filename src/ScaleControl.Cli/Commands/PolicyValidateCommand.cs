using System.CommandLine;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl policy validate -f FILE</c>: the server's validation of every document; nothing is stored.</summary>
internal sealed class PolicyValidateCommand : ApiCommand
{
    private static readonly Option<string> s_file = PolicyCommand.FileOption();

    public PolicyValidateCommand()
        : base("validate", "Check policy files against the server's validation without applying them")
    {
        Options.Add(s_file);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var path = context.Parse.GetValue(s_file)!;
        var documents = PolicyFile.Load(path, context.Namespace, Console.In);
        await PolicyFile.ValidateAllAsync(context.Api, path, documents, ct);
        foreach (var doc in documents)
        {
            context.Out.WriteLine($"scalepolicy {doc.Id} valid");
        }
    }
}
