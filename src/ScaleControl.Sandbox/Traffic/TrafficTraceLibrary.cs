using Microsoft.Extensions.Options;
using ScaleControl.Simulation;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>The replayable traces: the <c>*.csv</c> files of <see cref="SandboxTrafficOptions.TracesDirectory"/>.</summary>
public sealed class TrafficTraceLibrary(IOptions<SandboxTrafficOptions> options)
{
    private readonly string? _directory = options.Value.TracesDirectory;

    public IReadOnlyList<string> Names() =>
        _directory is null || !Directory.Exists(_directory)
            ? []
            : [.. Directory.EnumerateFiles(_directory, "*.csv").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Loads a trace by name (file name without <c>.csv</c>); null when there is no such trace.</summary>
    /// <exception cref="FormatException">The file is not a <c>seconds,qps</c> CSV.</exception>
    public TrafficTrace? Find(string name) =>
        Names().Contains(name, StringComparer.Ordinal) ? TrafficTrace.Load(Path.Combine(_directory!, name + ".csv")) : null;
}
