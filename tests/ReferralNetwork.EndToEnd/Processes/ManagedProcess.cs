using System.Diagnostics;

namespace ReferralNetwork.EndToEnd.Processes;

/// <summary>
/// A long-running process a test owns: a PostgreSQL server, a RabbitMQ node and its epmd, a silo of the
/// platform. Each start appends the process's output to the same file and returns once the subclass finds
/// it ready; a failed start kills what it started and fails with the end of the logs. A stop sends the
/// signal a service manager sends and waits; a kill takes the process and everything it started at once,
/// as a crash would. Disposal kills whatever still runs before the subclass releases its folders, and the
/// process group's watchdog (<see cref="ProcessGroup"/>) kills it should the test process itself die.
/// </summary>
public abstract class ManagedProcess : IAsyncDisposable
{
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(30);

    private ProcessGroup? _group;
    private bool _disposed;
    private bool _everReady;

    /// <param name="outputPath">Where standard output and error of every start are appended.</param>
    protected ManagedProcess(string outputPath) => OutputPath = outputPath;

    /// <summary>What failure messages call it, with where it listens.</summary>
    public abstract string Description { get; }

    public string OutputPath { get; }

    /// <summary>Where it writes its log: its output, unless it keeps a log file of its own.</summary>
    public virtual string LogPath => OutputPath;

    public bool IsRunning => _group is { HasExited: false };

    /// <summary>Process id while it runs; also the id of its process group.</summary>
    public int? ProcessId => IsRunning ? _group!.Id : null;

    /// <summary>From launching the process until it was ready, for the last start.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    protected virtual TimeSpan StartTimeout => TimeSpan.FromSeconds(90);

    protected virtual TimeSpan StopTimeout => TimeSpan.FromSeconds(60);

    /// <summary>How long to wait between two looks at whether it is ready.</summary>
    protected virtual TimeSpan ReadinessPollInterval => TimeSpan.FromMilliseconds(100);

    /// <summary>The signal that asks it to shut down cleanly.</summary>
    protected virtual int StopSignal => LinuxProcesses.SigTerm;

    /// <summary>Why the last look found it not ready, for the message when it never is.</summary>
    protected string? NotReadyBecause { get; set; }

    /// <summary>
    /// Starts it (again, with the same settings) unless it runs, and waits until it is ready. Until it has once been
    /// ready, a start that finds one of its ports taken by another process meanwhile is tried again on fresh ones
    /// (twice at most), if the subclass can move (<see cref="MoveToFreshPorts"/>).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartOnceAsync(cancellationToken);
                _everReady = true;
                return;
            }
            catch (ProcessStartException e) when (e.AddressInUse && !_everReady && attempt < 3 && MoveToFreshPorts())
            {
            }
        }
    }

    /// <summary>
    /// Picks fresh free ports for the next try of a first start, and answers whether it did; by default it cannot.
    /// Called between tries only, when the process is gone.
    /// </summary>
    protected virtual bool MoveToFreshPorts() => false;

    private async Task StartOnceAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            return;
        }

        // A previous run that ended by itself: its watchdog must not outlive it.
        Release();
        var (outputOffset, logOffset) = (LogTail.End(OutputPath), LogTail.End(LogPath));
        var launch = Launch();
        var started = Stopwatch.StartNew();
        _group = ProcessGroup.Start(launch.Command, OutputPath, launch.WorkingDirectory, launch.Environment);
        try
        {
            await WaitUntilReadyAsync(started, cancellationToken);
        }
        catch (Exception e)
        {
            await KillAsync();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var logs = LogPath == OutputPath
                ? $"--- log ({LogPath}) ---\n{LogTail.Of(LogPath, logOffset)}"
                : $"--- output ({OutputPath}) ---\n{LogTail.Of(OutputPath, outputOffset, maxChars: 4000)}\n--- log ({LogPath}) ---\n{LogTail.Of(LogPath, logOffset)}";
            throw new ProcessStartException($"{Description} did not become ready: {e.Message}\n{logs}", SaysAddressInUse(logs), e);
        }

        LastStartDuration = started.Elapsed;
    }

    /// <summary>A clean shutdown by <see cref="StopSignal"/>; one that takes longer than <see cref="StopTimeout"/> is killed and fails.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_group is null)
        {
            return;
        }

        if (!_group.HasExited)
        {
            _group.Signal(StopSignal);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StopTimeout);
            try
            {
                await _group.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await KillAsync();
                throw new TimeoutException($"{Description} did not shut down within {StopTimeout.TotalSeconds:0} s; it was killed.\n{ReadLog()}");
            }
        }

        Release();
    }

    /// <summary>SIGKILL of the process and all it started, at once: no shutdown, as a crash or the OOM killer.</summary>
    public async Task KillAsync()
    {
        if (_group is null)
        {
            return;
        }

        if (!_group.HasExited)
        {
            await _group.KillAsync(KillTimeout);
        }

        Release();
    }

    /// <summary>The end of its log.</summary>
    public string ReadLog() => LogTail.Of(LogPath);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // What a test started is thrown away with it, so a clean shutdown would save nothing.
            await KillAsync();
        }
        finally
        {
            await ReleaseResourcesAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>What to run, read anew at each start.</summary>
    protected abstract ProcessLaunch Launch();

    /// <summary>One look at whether it serves yet; false while it is still starting (say why in <see cref="NotReadyBecause"/>).</summary>
    protected abstract Task<bool> IsReadyAsync(CancellationToken cancellationToken);

    /// <summary>Whether a failed start's logs show that a port it was given had been taken meanwhile.</summary>
    protected virtual bool SaysAddressInUse(string logs) => false;

    /// <summary>Called each time the process is gone, stopped or killed: connections to it are dead.</summary>
    protected virtual void OnGone()
    {
    }

    /// <summary>Releases what the subclass holds (folders, helper processes) once the process is gone for good.</summary>
    protected virtual ValueTask ReleaseResourcesAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// The first start, on ports <paramref name="choosePorts"/> picks free just before. Another process may
    /// take one of them in between; the start is then tried again on fresh ones, twice at most.
    /// </summary>
    protected async Task StartOnFreePortsAsync(Func<CancellationToken, Task> choosePorts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await choosePorts(cancellationToken);
                await StartAsync(cancellationToken);
                return;
            }
            catch (ProcessStartException e) when (e.AddressInUse && attempt < 3)
            {
            }
        }
    }

    private async Task WaitUntilReadyAsync(Stopwatch started, CancellationToken cancellationToken)
    {
        NotReadyBecause = null;
        while (true)
        {
            if (_group!.HasExited)
            {
                throw new InvalidOperationException($"it exited with code {_group.ExitCode}");
            }

            if (await IsReadyAsync(cancellationToken))
            {
                return;
            }

            if (started.Elapsed > StartTimeout)
            {
                throw new TimeoutException(
                    $"not ready after {StartTimeout.TotalSeconds:0} s{(NotReadyBecause is null ? "" : $" (last: {NotReadyBecause})")}");
            }

            await Task.Delay(ReadinessPollInterval, cancellationToken);
        }
    }

    private void Release()
    {
        if (_group is null)
        {
            return;
        }

        _group.Dispose();
        _group = null;
        OnGone();
    }
}

/// <summary>The command line of a managed process, where it runs, and what to change in its environment (null removes a variable).</summary>
public sealed record ProcessLaunch(
    IReadOnlyList<string> Command,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?>? Environment = null);

public sealed class ProcessStartException(string message, bool addressInUse, Exception inner) : Exception(message, inner)
{
    /// <summary>The start failed because a port it was given was taken; fresh ports may do.</summary>
    public bool AddressInUse { get; } = addressInUse;
}
