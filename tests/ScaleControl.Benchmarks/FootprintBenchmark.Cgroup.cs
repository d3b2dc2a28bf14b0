using System.Globalization;
using System.Runtime.InteropServices;

namespace ScaleControl.Benchmarks;

/// <summary>The footprint benchmark's memory cgroup (the limit) and its samples of the product.</summary>
internal static partial class FootprintBenchmark
{
    // ---- the memory cgroup and the samples ----

    /// <summary>A memory cgroup with a limit: v1 (<c>/sys/fs/cgroup/memory</c>) or v2 (<c>/sys/fs/cgroup</c> with the memory controller).</summary>
    private sealed class MemoryCgroup
    {
        private const string V1Root = "/sys/fs/cgroup/memory";
        private const string V2Root = "/sys/fs/cgroup";

        private MemoryCgroup(string path, bool v2)
        {
            Path = path;
            IsV2 = v2;
        }

        public string Path { get; }
        public bool IsV2 { get; }
        public string Version => IsV2 ? "v2" : "v1";
        public string LimitFile => IsV2 ? "memory.max" : "memory.limit_in_bytes";
        public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

        public static MemoryCgroup? TryCreate(string name, long limitBytes, out string? problem)
        {
            var problems = new List<string>();
            var limit = limitBytes.ToString(CultureInfo.InvariantCulture);
            var controllers = System.IO.Path.Combine(V2Root, "cgroup.controllers");
            if (File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains("memory"))
            {
                var cgroup = new MemoryCgroup(System.IO.Path.Combine(V2Root, name), v2: true);
                try
                {
                    var subtree = System.IO.Path.Combine(V2Root, "cgroup.subtree_control");
                    if (!File.ReadAllText(subtree).Split(' ', '\n').Contains("memory"))
                        File.WriteAllText(subtree, "+memory");
                    Directory.CreateDirectory(cgroup.Path);
                    File.WriteAllText(System.IO.Path.Combine(cgroup.Path, "memory.max"), limit);
                    if (File.Exists(System.IO.Path.Combine(cgroup.Path, "memory.swap.max")))
                        File.WriteAllText(System.IO.Path.Combine(cgroup.Path, "memory.swap.max"), "0"); // a kubelet node gives it no swap
                    problem = null;
                    return cgroup;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    cgroup.Remove();
                    problems.Add($"cgroup v2 at {V2Root}: {ex.Message}");
                }
            }

            if (File.Exists(System.IO.Path.Combine(V1Root, "memory.limit_in_bytes")))
            {
                var cgroup = new MemoryCgroup(System.IO.Path.Combine(V1Root, name), v2: false);
                try
                {
                    Directory.CreateDirectory(cgroup.Path);
                    File.WriteAllText(System.IO.Path.Combine(cgroup.Path, "memory.limit_in_bytes"), limit);
                    var memsw = System.IO.Path.Combine(cgroup.Path, "memory.memsw.limit_in_bytes");
                    if (File.Exists(memsw))
                        File.WriteAllText(memsw, limit); // no swap beyond the limit
                    problem = null;
                    return cgroup;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    cgroup.Remove();
                    problems.Add($"cgroup v1 at {V1Root}: {ex.Message}");
                }
            }
            else
            {
                problems.Add($"no memory controller at {V1Root} or {V2Root}");
            }

            problem = string.Join("; ", problems);
            return null;
        }

        public bool Contains(int pid)
        {
            try
            {
                var relative = "/" + System.IO.Path.GetFileName(Path);
                return File.ReadAllLines($"/proc/{pid}/cgroup").Any(l => IsV2
                    ? l == "0::" + relative
                    : l.Split(':') is [_, var controllers, var at] && controllers.Split(',').Contains("memory") && at == relative);
            }
            catch (IOException)
            {
                return false;
            }
        }

        public CgroupReading? Read()
        {
            try
            {
                var stat = KeyValues(System.IO.Path.Combine(Path, "memory.stat"));
                if (IsV2)
                {
                    var events = KeyValues(System.IO.Path.Combine(Path, "memory.events"));
                    var usage = Number(System.IO.Path.Combine(Path, "memory.current"));
                    var peak = File.Exists(System.IO.Path.Combine(Path, "memory.peak")) ? Number(System.IO.Path.Combine(Path, "memory.peak")) : usage;
                    return new CgroupReading(usage, peak, stat.GetValueOrDefault("inactive_file"), stat.GetValueOrDefault("anon"), stat.GetValueOrDefault("file"),
                        stat.GetValueOrDefault("shmem"), stat.GetValueOrDefault("file_mapped"), events.GetValueOrDefault("max"), events.GetValueOrDefault("oom_kill"));
                }

                var oom = KeyValues(System.IO.Path.Combine(Path, "memory.oom_control"));
                return new CgroupReading(
                    Number(System.IO.Path.Combine(Path, "memory.usage_in_bytes")), Number(System.IO.Path.Combine(Path, "memory.max_usage_in_bytes")),
                    stat.GetValueOrDefault("total_inactive_file"), stat.GetValueOrDefault("total_rss"), stat.GetValueOrDefault("total_cache"),
                    stat.GetValueOrDefault("total_shmem"), stat.GetValueOrDefault("total_mapped_file"),
                    Number(System.IO.Path.Combine(Path, "memory.failcnt")), oom.GetValueOrDefault("oom_kill"));
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>rmdir, retried while the kernel finishes with the exited task.</summary>
        public void Remove()
        {
            for (var attempt = 0; attempt < 40 && Directory.Exists(Path); attempt++)
            {
                try
                {
                    Directory.Delete(Path); // rmdir: a cgroup's files are not removable, only the directory
                    return;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Thread.Sleep(250);
                }
            }

            if (Directory.Exists(Path))
                Console.Error.WriteLine($"could not remove the cgroup {Path}: remove it with rmdir once its tasks are gone");
        }

        private static long Number(string file) => long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);

        private static Dictionary<string, long> KeyValues(string file) =>
            File.ReadAllLines(file)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length == 2 && long.TryParse(p[1], CultureInfo.InvariantCulture, out _))
                .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private sealed record CgroupReading(long Usage, long MaxUsage, long InactiveFile, long Anon, long File, long Shmem, long MappedFile, long Failcnt, long OomKills)
    {
        /// <summary>What cAdvisor exports as container_memory_working_set_bytes and the kubelet evicts on.</summary>
        public long WorkingSet => Math.Max(0, Usage - InactiveFile);
    }

    private sealed record Sample(
        double Seconds, CgroupReading? Cgroup, long Rss, long RssAnon, long RssFile, long RssShmem, int Threads, double UserSeconds, double SystemSeconds, long MajorFaults)
    {
        public double CpuSeconds => UserSeconds + SystemSeconds;

        /// <summary>The cgroup's working set, or RSS without a cgroup.</summary>
        public long WorkingSet => Cgroup?.WorkingSet ?? Rss;

        /// <summary>One reading of the cgroup and of /proc/&lt;pid&gt;; null once the process is gone.</summary>
        public static Sample? Take(int pid, MemoryCgroup? cgroup, double seconds, double ticksPerSecond)
        {
            try
            {
                var status = File.ReadAllLines($"/proc/{pid}/status")
                    .Select(l => l.Split(':', 2))
                    .Where(p => p.Length == 2)
                    .ToDictionary(p => p[0], p => p[1].Trim());
                long Kib(string key) => status.TryGetValue(key, out var v) ? long.Parse(v.Split(' ')[0], CultureInfo.InvariantCulture) * 1024 : 0;

                // /proc/<pid>/stat after the command name (which may hold spaces): field 3 (state) first, so
                // majflt (field 12), utime (14) and stime (15) are at 9, 11 and 12, in clock ticks.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
                return new Sample(seconds, cgroup?.Read(), Kib("VmRSS"), Kib("RssAnon"), Kib("RssFile"), Kib("RssShmem"),
                    int.Parse(status.GetValueOrDefault("Threads", "0"), CultureInfo.InvariantCulture),
                    Field(11) / ticksPerSecond, Field(12) / ticksPerSecond, Field(9));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    private static class Native
    {
        public const int PosixFadvDontNeed = 4; // POSIX_FADV_DONTNEED on Linux
        private const int ScClkTck = 2; // _SC_CLK_TCK on Linux

        [DllImport("libc", EntryPoint = "posix_fadvise")]
        public static extern int PosixFadvise(int fd, long offset, long length, int advice);

        [DllImport("libc", EntryPoint = "sysconf")]
        private static extern long SysConf(int name);

        public static double ClockTicksPerSecond()
        {
            var ticks = SysConf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
    }
}
