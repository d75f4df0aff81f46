using System.Globalization;

namespace ReferralNetwork.Benchmarks;

/// <summary>CPU time and memory of a process, and busy time of the machine, read from /proc (Linux).</summary>
public static class ProcessStats
{
    // USER_HZ, the unit of /proc's tick counts, is 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of the process, in seconds (fields 14 and 15 of /proc/PID/stat).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>A field of /proc/PID/status in bytes (VmRSS, VmHWM), or null when the process is gone.</summary>
    public static long? StatusBytes(int pid, string field) => StatusValue(pid, field) * 1024;

    /// <summary>The number in a field of /proc/PID/status (kB for sizes), or null when the process is gone.</summary>
    public static long? StatusValue(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var value = line[(field.Length + 1)..].Trim().Split(' ')[0];
                    return long.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>
    /// Resets VmHWM to the current RSS (Linux 4.0+, writing 5 to clear_refs) so that the peak of one phase is its
    /// own. Returns false where that is not permitted: VmHWM is then the peak since the process started.
    /// </summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Busy and iowait seconds of the whole machine, and its number of CPUs (from /proc/stat).</summary>
    public static MachineTimes Machine()
    {
        var cpu = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var t = cpu.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        var busy = t[0] + t[1] + t[2] + t[5] + t[6] + (t.Length > 7 ? t[7] : 0);
        return new MachineTimes(busy / TicksPerSecond, t[4] / TicksPerSecond, t[3] / TicksPerSecond);
    }

    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}

public readonly record struct MachineTimes(double BusySeconds, double IowaitSeconds, double IdleSeconds);

/// <summary>CPU of the platform's processes, of this generator and of the machine over one measurement window.</summary>
public sealed class CpuWindow
{
    private readonly IReadOnlyList<int> _pids;
    private readonly double[] _start;
    private readonly double _selfStart;
    private readonly MachineTimes _machineStart;
    private readonly CancellationTokenSource _sampling = new();
    private readonly Task<long> _threadsMax;

    private CpuWindow(IReadOnlyList<int> pids)
    {
        _threadsMax = SampleThreadsAsync(pids, _sampling.Token);
        _pids = pids;
        PeakIsPerPhase = pids.Count > 0 && pids.All(ProcessStats.ResetPeak);
        _start = [.. pids.Select(ProcessStats.CpuSeconds)];
        _selfStart = ProcessStats.CpuSeconds(Environment.ProcessId);
        _machineStart = ProcessStats.Machine();
        LoadAverage = ProcessStats.LoadAverage();
    }

    public bool PeakIsPerPhase { get; }

    public string LoadAverage { get; }

    public static CpuWindow Start(IReadOnlyList<int> pids) => new(pids);

    // The most threads the platform had at once: a thread pool that keeps growing under load means calls block threads.
    private static async Task<long> SampleThreadsAsync(IReadOnlyList<int> pids, CancellationToken cancellationToken)
    {
        long max = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            max = Math.Max(max, pids.Sum(pid => ProcessStats.StatusValue(pid, "Threads") ?? 0));
            try
            {
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return max;
    }

    public ResourceUse Stop(double seconds)
    {
        _sampling.Cancel();
        var threads = _threadsMax.GetAwaiter().GetResult();
        var platform = _pids.Select((pid, i) => ProcessStats.CpuSeconds(pid) - _start[i]).Sum();
        var self = ProcessStats.CpuSeconds(Environment.ProcessId) - _selfStart;
        var machine = ProcessStats.Machine();
        var busy = machine.BusySeconds - _machineStart.BusySeconds;
        var iowait = machine.IowaitSeconds - _machineStart.IowaitSeconds;
        var peak = _pids.Select(pid => ProcessStats.StatusBytes(pid, "VmHWM") ?? 0).Sum();
        var rss = _pids.Select(pid => ProcessStats.StatusBytes(pid, "VmRSS") ?? 0).Sum();
        return new ResourceUse(
            PlatformCpuCores: platform / seconds,
            GeneratorCpuCores: self / seconds,
            MachineBusyCores: busy / seconds,
            OtherCpuCores: Math.Max(0, (busy - platform - self) / seconds),
            MachineIowaitCores: iowait / seconds,
            Cores: Environment.ProcessorCount,
            PlatformPeakRssBytes: peak,
            PlatformRssBytes: rss,
            PeakIsPerPhase: PeakIsPerPhase,
            PlatformThreadsMax: threads,
            LoadAverageBefore: LoadAverage);
    }
}

/// <param name="OtherCpuCores">Machine busy time that was neither the platform nor the generator: the database server, other work on the machine.</param>
public sealed record ResourceUse(
    double PlatformCpuCores,
    double GeneratorCpuCores,
    double MachineBusyCores,
    double OtherCpuCores,
    double MachineIowaitCores,
    int Cores,
    long PlatformPeakRssBytes,
    long PlatformRssBytes,
    bool PeakIsPerPhase,
    long PlatformThreadsMax,
    string LoadAverageBefore);
