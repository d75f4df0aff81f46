using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ReferralNetwork.EndToEnd.Processes;

/// <summary>A server binary the tests need is not installed on this machine.</summary>
public sealed class ServerBinaryNotFoundException(string message) : Exception(message);

/// <summary>What the managed processes need of Linux: PATH look-ups, signals, the process table in /proc.</summary>
internal static class LinuxProcesses
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigStop = 19;
    public const int SigTerm = 15;

    public static readonly string InstallHint =
        "Run `bash .ci/install-deps.sh` as root (it installs PostgreSQL 15, rabbitmq-server and chromium from Debian's packages).";

    public static bool IsRoot => geteuid() == 0;

    /// <summary>True on CI, where a missing server binary must fail the run instead of skipping tests.</summary>
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        // Root's PATH has the sbin folders; a developer's may not, and runuser lives there.
        var folders = path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"]);
        return folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(IsExecutable);
    }

    public static bool IsExecutable(string path) =>
        !OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.OtherExecute)) != 0;

    public static void DeleteFolder(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && attempt < 5)
            {
                // A process that was just killed may still be closing files in it.
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>A process is gone once it has exited; an unreaped zombie no longer runs either.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Processes whose parent (field 2 after the name) or process group (field 3) is <paramref name="id"/>.</summary>
    public static List<int> ProcessesWith(int id, bool byParent)
    {
        var found = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var candidate))
            {
                continue;
            }

            try
            {
                // After the command name in parentheses: state, ppid, pgrp, …
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[byParent ? 1 : 2], System.Globalization.CultureInfo.InvariantCulture) == id)
                {
                    found.Add(candidate);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // It exited while we looked.
            }
        }

        return found;
    }

    public static async Task WaitUntilGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var waiting = pids.ToList();
        while (true)
        {
            waiting.RemoveAll(pid => !IsAlive(pid));
            if (waiting.Count == 0)
            {
                return;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Processes {string.Join(", ", waiting)} still run after {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>kill(2); a negative <paramref name="pid"/> signals a whole process group.</summary>
    public static void Signal(int pid, int signal)
    {
        // ESRCH: already gone, which is what the caller wants.
        if (kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != 3)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public static void ApplyEnvironment(ProcessStartInfo startInfo, IReadOnlyDictionary<string, string?>? environment)
    {
        if (environment is null)
        {
            return;
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code enabled
    // in the project, and these signatures are blittable anyway.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();
}
