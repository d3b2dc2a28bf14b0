namespace ScaleControl.Server.Hosting;

/// <summary>
/// A start that cannot succeed (a port another process listens on, a sandbox state directory another server uses): the
/// server prints this one line and exits with 1, before it has changed anything.
/// </summary>
public sealed class StartRefusedException(string message) : Exception(message);
