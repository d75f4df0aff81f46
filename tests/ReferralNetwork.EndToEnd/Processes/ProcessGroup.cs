using System.Diagnostics;

namespace ReferralNetwork.EndToEnd.Processes;

/// <summary>
/// The OS side of a <see cref="ManagedProcess"/>: a process started in a session and process group of its own (away from the terminal's
/// Ctrl+C and from the test runner's group), with a watchdog that kills that group if the test
/// process dies without disposing it: a crashed or timed-out test run leaves no server holding
/// ports and CPU. (PostgreSQL backends, in sessions of their own, exit by themselves once their
/// postmaster is gone.)
/// </summary>
internal sealed class ProcessGroup : IDisposable
{
    private readonly Process _process;
    private Process? _watchdog;

    private ProcessGroup(Process process, Process watchdog)
    {
        _process = process;
        _watchdog = watchdog;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <paramref name="command"/> with its output appended to <paramref name="logPath"/>.
    /// The shell and setsid exec in place, so <see cref="Id"/> is the server's own process id,
    /// and also its process group id.
    /// </summary>
    public static ProcessGroup Start(
        IReadOnlyList<string> command,
        string logPath,
        string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var setsid = LinuxProcesses.FindOnPath("setsid")
            ?? throw new ServerBinaryNotFoundException("setsid (Debian package util-linux) was not found.");
        var startInfo = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in (string[])["-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1", "sh", logPath, setsid, .. command])
        {
            startInfo.ArgumentList.Add(argument);
        }

        LinuxProcesses.ApplyEnvironment(startInfo, environment);
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {command[0]}.");
        // A server must not read the test runner's input; a closed stdin is what a service gets.
        process.StandardInput.Close();

        // The watchdog blocks reading a pipe that only this process holds open. When this process
        // ends in any way, the read returns and the watchdog kills the server's process group. It
        // ignores the Ctrl+C meant for the test runner, which then still gets to dispose cleanly.
        var watchdogStart = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        foreach (var argument in (string[])["-c", "trap '' INT HUP; read _; kill -KILL \"-$1\" 2>/dev/null", "sh", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            watchdogStart.ArgumentList.Add(argument);
        }

        var watchdog = Process.Start(watchdogStart) ?? throw new InvalidOperationException("Could not start the server's watchdog.");
        return new ProcessGroup(process, watchdog);
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    public void Signal(int signal) => LinuxProcesses.Signal(_process.Id, signal);

    /// <summary>
    /// SIGKILL of the server and everything it started, as a machine crash or the OOM killer would.
    /// PostgreSQL backends run in sessions of their own, so the group alone is not enough: the
    /// group is frozen first (nothing can fork unseen), then its members and the leader's
    /// descendants are listed and killed together.
    /// </summary>
    public async Task KillAsync(TimeSpan timeout)
    {
        var group = _process.Id;
        LinuxProcesses.Signal(-group, LinuxProcesses.SigStop);
        var doomed = new HashSet<int>(LinuxProcesses.ProcessesWith(group, byParent: false)) { group };
        var pending = new Queue<int>(doomed);
        while (pending.TryDequeue(out var parent))
        {
            foreach (var child in LinuxProcesses.ProcessesWith(parent, byParent: true).Where(doomed.Add))
            {
                LinuxProcesses.Signal(child, LinuxProcesses.SigStop);
                pending.Enqueue(child);
            }
        }

        foreach (var pid in doomed)
        {
            LinuxProcesses.Signal(pid, LinuxProcesses.SigKill);
        }

        await _process.WaitForExitAsync();
        // The leader's children are reparented as it dies; wait until none runs, so that a restart
        // finds ports, files and shared memory released.
        await LinuxProcesses.WaitUntilGoneAsync(doomed, timeout);
    }

    /// <summary>Releases the watchdog; call once the server has exited.</summary>
    public void Dispose()
    {
        if (_watchdog is not null)
        {
            if (!_watchdog.HasExited)
            {
                // Killed, not released through its pipe: it must not signal a process group id
                // that the system may since have handed to someone else.
                _watchdog.Kill();
                _watchdog.WaitForExit();
            }

            _watchdog.Dispose();
            _watchdog = null;
        }

        _process.Dispose();
    }
}
