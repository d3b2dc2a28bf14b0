using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleControl.Benchmarks;

/// <summary>The footprint benchmark's fresh copy of the runtime and the server, out of the page cache, as in a new container.</summary>
internal static partial class FootprintBenchmark
{
    // ---- the fresh runtime and app copy, and what of it is resident ----

    /// <summary>Resident memory of the product by where it comes from, in KiB (from /proc/&lt;pid&gt;/smaps).</summary>
    private static Dictionary<string, long>? RssByOrigin(int pid, ProductCopy copy)
    {
        try
        {
            var totals = new Dictionary<string, long>();
            var current = "anonymous";
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var first = space > 0 ? line[..space] : line;
                if (first.Contains('-', StringComparison.Ordinal) && first.All(c => c == '-' || char.IsAsciiHexDigit(c)))
                {
                    var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                    var path = fields.Length == 6 ? fields[5].Trim() : "";
                    current = path switch
                    {
                        "" or "[heap]" or "[stack]" => "anonymous",
                        _ when path.StartsWith("/memfd:doublemapper", StringComparison.Ordinal) => "JIT code (memfd doublemapper)",
                        _ when path.StartsWith('[') => "anonymous",
                        _ when path.StartsWith(copy.AppDirectory + "/", StringComparison.Ordinal) => "app copy",
                        _ when copy.IcuDirectory is not null && path.StartsWith(copy.IcuDirectory + "/", StringComparison.Ordinal) => "ICU copy",
                        _ when path.StartsWith(copy.RuntimeDirectory + "/", StringComparison.Ordinal) => "runtime copy",
                        _ when path.StartsWith("/memfd:", StringComparison.Ordinal) || path.StartsWith("/dev/shm", StringComparison.Ordinal) => "other shmem",
                        _ => "other files (system libraries; not charged if already cached)",
                    };
                }
                else if (line.StartsWith("Rss:", StringComparison.Ordinal))
                {
                    totals[current] = totals.GetValueOrDefault(current) + long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }

            return totals;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The runtime the server runs on: the dotnet root of the <c>dotnet</c> on PATH (else DOTNET_ROOT, else
    /// /usr/share/dotnet), its newest host/fxr, and per framework of the server's runtimeconfig the version the host
    /// picks with the default roll-forward (Minor: the lowest installed minor ≥ the requested one, then its latest
    /// patch). Plus the system ICU, which the server loads (its runtimeconfig is not globalization-invariant).
    /// </summary>
    private sealed record RuntimeLayout(
        string Root, string HostFxr, IReadOnlyList<(string Name, string Version)> Frameworks, string? IcuSource, string? IcuVersion, IReadOnlyList<string> IcuFiles)
    {
        public static RuntimeLayout Resolve(string serverDirectory)
        {
            var root = FindRoot();
            var fxr = Directory.GetDirectories(Path.Combine(root, "host", "fxr"))
                .Select(d => (Name: Path.GetFileName(d), Version: Version.TryParse(Path.GetFileName(d), out var v) ? v : null))
                .Where(d => d.Version is not null)
                .MaxBy(d => d.Version).Name ?? throw new BenchmarkFailure($"no host/fxr in {root}");

            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(serverDirectory, "ScaleControl.Server.runtimeconfig.json")));
            var options = config.RootElement.GetProperty("runtimeOptions");
            var requested = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList() : [options.GetProperty("framework")];
            var frameworks = requested.Select(f => (Name: f.GetProperty("name").GetString()!, Version: Pick(root, f.GetProperty("name").GetString()!, f.GetProperty("version").GetString()!))).ToList();

            var invariant = options.TryGetProperty("configProperties", out var properties)
                && properties.TryGetProperty("System.Globalization.Invariant", out var flag) && flag.ValueKind == JsonValueKind.True;
            var (icuSource, icuVersion, icuFiles) = invariant ? (null, null, []) : FindIcu();
            return new RuntimeLayout(root, fxr, frameworks, icuSource, icuVersion, icuFiles);
        }

        private static string FindRoot()
        {
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(directory, "dotnet");
                if (!File.Exists(candidate))
                    continue;
                var resolved = File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate;
                var root = Path.GetDirectoryName(resolved)!;
                if (Directory.Exists(Path.Combine(root, "shared", "Microsoft.NETCore.App")))
                    return root;
            }

            foreach (var root in new[] { Environment.GetEnvironmentVariable("DOTNET_ROOT"), "/usr/share/dotnet" })
            {
                if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet")) && Directory.Exists(Path.Combine(root, "shared", "Microsoft.NETCore.App")))
                    return root;
            }

            throw new BenchmarkFailure("no .NET installation found (dotnet on PATH, DOTNET_ROOT, /usr/share/dotnet)");
        }

        private static string Pick(string root, string name, string requested)
        {
            var want = Version.Parse(requested.Split('-')[0]);
            var directory = Path.Combine(root, "shared", name);
            var candidates = Directory.Exists(directory)
                ? Directory.GetDirectories(directory)
                    .Select(d => (Name: Path.GetFileName(d), Version: Version.TryParse(Path.GetFileName(d), out var v) ? v : null))
                    .Where(d => d.Version is not null && d.Version.Major == want.Major && d.Version >= want)
                    .ToList()
                : [];
            if (candidates.Count == 0)
                throw new BenchmarkFailure($"no {name} {want.Major}.x ≥ {requested} in {directory}");
            var minor = candidates.Min(c => c.Version!.Minor);
            return candidates.Where(c => c.Version!.Minor == minor).MaxBy(c => c.Version)!.Name;
        }

        /// <summary>The newest ICU major with libicuuc, libicui18n and libicudata present in the usual library folders.</summary>
        private static (string? Source, string? Version, IReadOnlyList<string> Files) FindIcu()
        {
            var triplet = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
            foreach (var directory in new[] { $"/usr/lib/{triplet}", $"/lib/{triplet}", "/usr/lib64", "/usr/lib", "/lib64", "/lib" })
            {
                if (!Directory.Exists(directory))
                    continue;
                var majors = Directory.GetFiles(directory, "libicuuc.so.*")
                    .Select(Path.GetFileName)
                    .Where(f => f!.Length > "libicuuc.so.".Length)
                    .Select(f => f!["libicuuc.so.".Length..])
                    .Where(v => v.All(char.IsAsciiDigit))
                    .Select(v => int.Parse(v, CultureInfo.InvariantCulture))
                    .OrderDescending();
                foreach (var major in majors)
                {
                    var files = new[] { "libicuuc", "libicui18n", "libicudata" }.Select(l => Path.Combine(directory, $"{l}.so.{major}")).ToList();
                    if (files.All(File.Exists))
                        return (directory, major.ToString(CultureInfo.InvariantCulture), files);
                }
            }

            return (null, null, []);
        }
    }

    /// <summary>The runtime and the app copied into a fresh directory, each file fsynced and dropped from the page cache.</summary>
    private sealed record ProductCopy(string RuntimeDirectory, string AppDirectory, string? IcuDirectory, int Files, long Bytes, int EvictFailures)
    {
        public static ProductCopy Create(RuntimeLayout runtime, string serverDirectory, string tempRoot)
        {
            var runtimeDirectory = Path.Combine(tempRoot, "dotnet");
            var appDirectory = Path.Combine(tempRoot, "app");
            var counts = new CopyCounts();
            CopyFile(Path.Combine(runtime.Root, "dotnet"), Path.Combine(runtimeDirectory, "dotnet"), counts);
            CopyTree(Path.Combine(runtime.Root, "host", "fxr", runtime.HostFxr), Path.Combine(runtimeDirectory, "host", "fxr", runtime.HostFxr), counts);
            foreach (var (name, version) in runtime.Frameworks)
                CopyTree(Path.Combine(runtime.Root, "shared", name, version), Path.Combine(runtimeDirectory, "shared", name, version), counts);
            string? icuDirectory = null;
            if (runtime.IcuFiles.Count > 0)
            {
                // Found by the runtime through LD_LIBRARY_PATH before the system folders; the real file under the soname.
                icuDirectory = Path.Combine(runtimeDirectory, "icu");
                foreach (var file in runtime.IcuFiles)
                    CopyFile(file, Path.Combine(icuDirectory, Path.GetFileName(file)), counts);
            }

            CopyTree(serverDirectory, appDirectory, counts);
            return new ProductCopy(runtimeDirectory, appDirectory, icuDirectory, counts.Files, counts.Bytes, counts.EvictFailures);
        }

        private static void CopyTree(string source, string destination, CopyCounts counts)
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                CopyFile(file, Path.Combine(destination, Path.GetRelativePath(source, file)), counts);
        }

        private static void CopyFile(string source, string destination, CopyCounts counts)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination); // follows symlinks: the copy holds the content
            if (OperatingSystem.IsLinux())
                File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
            using (var stream = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Flush(flushToDisk: true); // fsync: only clean pages can be dropped
                if (Native.PosixFadvise((int)stream.SafeFileHandle.DangerousGetHandle(), 0, 0, Native.PosixFadvDontNeed) != 0)
                    counts.EvictFailures++;
            }

            counts.Files++;
            counts.Bytes += new FileInfo(destination).Length;
        }

        private sealed class CopyCounts
        {
            public int Files { get; set; }
            public long Bytes { get; set; }
            public int EvictFailures { get; set; }
        }
    }
}
