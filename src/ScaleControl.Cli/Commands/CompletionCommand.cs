using System.CommandLine;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// <c>scalectl completion bash|zsh</c>: prints a completion script that asks scalectl itself through System.CommandLine's
/// <c>[suggest]</c> directive. Use: <c>source &lt;(scalectl completion bash)</c>.
/// </summary>
internal sealed class CompletionCommand : Command
{
    private static readonly Argument<string> s_shell = new("SHELL") { Description = "bash or zsh", HelpName = "bash|zsh" };

    static CompletionCommand() => s_shell.AcceptOnlyFromAmong("bash", "zsh");

    public CompletionCommand()
        : base("completion", "Print a shell completion script: source <(scalectl completion bash)")
    {
        Arguments.Add(s_shell);
        SetAction(parseResult =>
        {
            var script = parseResult.GetValue(s_shell) == "zsh" ? Zsh : Bash;
            parseResult.InvocationConfiguration.Output.Write(script);
            return 0;
        });
    }

    // COMP_LINE holds the whole line ("scalectl get po"); the directive wants it with the cursor position.
    private const string Bash = """
        _scalectl_complete() {
          local IFS=$'\n'
          local candidates
          candidates=$(scalectl "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
          COMPREPLY=( $(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _scalectl_complete scalectl

        """;

    private const string Zsh = """
        #compdef scalectl
        _scalectl() {
          local -a candidates
          candidates=("${(@f)$(scalectl "[suggest:${#BUFFER}]" "${BUFFER}" 2>/dev/null)}")
          compadd -a candidates
        }
        compdef _scalectl scalectl

        """;
}
