namespace ScaleControl.Server.Hosting;

/// <summary>The mode this process runs in, as resolved at start.</summary>
public sealed record ServerModeInfo(ServerMode Mode);
