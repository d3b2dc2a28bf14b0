namespace ScaleControl.Cli.Api;

/// <summary>An error the user must see as one readable line (printed as <c>error: message</c>, exit code 1).</summary>
internal sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
