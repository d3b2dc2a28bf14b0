namespace ScaleControl.Cli;

// A named entry point (not top-level statements) so tests can reference both scalectl and the server's global Program.
internal static class Program
{
    public static Task<int> Main(string[] args) => ScalectlRootCommand.RunAsync(args);
}
