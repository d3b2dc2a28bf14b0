using System.Reflection;

namespace ScaleControl.Cli;

internal static class ThisAssembly
{
    /// <summary>The build: the version and, where the build knew it, the commit (<c>0.1.0+fad5163d…</c>; Directory.Build.props).</summary>
    public static string InformationalVersion { get; } =
        typeof(ThisAssembly).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version alone, as the User-Agent names it.</summary>
    public static string Version { get; } = InformationalVersion.Split('+')[0];
}
