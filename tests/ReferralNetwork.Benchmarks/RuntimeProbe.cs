using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace ReferralNetwork.Benchmarks;

/// <summary>
/// What the platform's runtime says about a measurement window, read from outside through its diagnostics port
/// (as dotnet-counters does): GC pauses from the GC events, and the System.Runtime counters (allocation rate,
/// thread pool queue, lock contention, exceptions). It tells a CPU-bound process from one that waits.
/// </summary>
public sealed class RuntimeProbe
{
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _processing;
    private readonly object _gate = new();
    private readonly int[] _collections = new int[3];
    private double? _suspendedAt;
    private double _pausedMs;
    private double _maxPauseMs;
    private double _allocatedBytes;
    private double _queueMax;
    private double _threadsMax;
    private double _contentions;
    private double _exceptions;
    private double _jitMs;
    private double _timeInGcSum;
    private int _timeInGcSamples;

    private RuntimeProbe(EventPipeSession session)
    {
        _session = session;
        _source = new EventPipeEventSource(session.EventStream);
        _source.Clr.GCStart += e =>
        {
            lock (_gate)
            {
                _collections[Math.Clamp(e.Depth, 0, 2)]++;
            }
        };
        _source.Clr.GCSuspendEEStart += e => _suspendedAt = e.TimeStampRelativeMSec;
        _source.Clr.GCRestartEEStop += e =>
        {
            if (_suspendedAt is { } start)
            {
                var pause = e.TimeStampRelativeMSec - start;
                _pausedMs += pause;
                _maxPauseMs = Math.Max(_maxPauseMs, pause);
                _suspendedAt = null;
            }
        };
        _source.Dynamic.All += OnCounters;
        _processing = Task.Run(_source.Process);
    }

    /// <summary>Starts watching the process, or answers null (with the reason logged) where its diagnostics port is closed.</summary>
    public static RuntimeProbe? TryStart(int pid, Action<string> log)
    {
        try
        {
            var session = new DiagnosticsClient(pid).StartEventPipeSession(
                [
                    new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC),
                    new EventPipeProvider("System.Runtime", EventLevel.Informational, 0, new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" }),
                ],
                requestRundown: false,
                circularBufferMB: 64);
            return new RuntimeProbe(session);
        }
        catch (Exception e) when (e is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            log($"runtime figures unavailable for process {pid}: {e.Message}");
            return null;
        }
    }

    public async Task<RuntimeFigures> StopAsync(double seconds)
    {
        await _session.StopAsync(CancellationToken.None);
        await _processing;
        _source.Dispose();
        _session.Dispose();
        return new RuntimeFigures(
            _collections[0], _collections[1], _collections[2],
            _pausedMs, _pausedMs / (seconds * 1000) * 100, _maxPauseMs,
            _timeInGcSamples == 0 ? 0 : _timeInGcSum / _timeInGcSamples,
            _allocatedBytes / seconds / 1048576,
            _queueMax, _threadsMax, _contentions / seconds, _exceptions / seconds, _jitMs / seconds);
    }

    private void OnCounters(TraceEvent e)
    {
        if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
            || outer.TryGetValue("Payload", out var inner) is false || inner is not IDictionary<string, object> counter)
        {
            return;
        }

        var name = counter.TryGetValue("Name", out var n) ? n as string : null;
        double Value(string key) => counter.TryGetValue(key, out var v) ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : 0;
        switch (name)
        {
            case "alloc-rate":
                _allocatedBytes += Value("Increment");
                break;
            case "threadpool-queue-length":
                _queueMax = Math.Max(_queueMax, Value("Max"));
                break;
            case "threadpool-thread-count":
                _threadsMax = Math.Max(_threadsMax, Value("Max"));
                break;
            case "monitor-lock-contention-count":
                _contentions += Value("Increment");
                break;
            case "exception-count":
                _exceptions += Value("Increment");
                break;
            case "time-in-jit":
                _jitMs += Value("Increment");
                break;
            case "time-in-gc":
                _timeInGcSum += Value("Mean");
                _timeInGcSamples++;
                break;
        }
    }
}

/// <param name="PausedPercent">Share of the window during which the runtime was suspended for GC (all threads stopped).</param>
/// <param name="TimeInGcPercent">The runtime's own time-in-gc counter, averaged over the window.</param>
/// <param name="JitMsPerSecond">
/// Time spent compiling methods (the runtime's time-in-jit: wall-clock time of each compilation, summed over threads), per
/// second of the window. Well above zero means the window still measured code on its way to being optimized.
/// </param>
public sealed record RuntimeFigures(
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double PausedMs,
    double PausedPercent,
    double MaxPauseMs,
    double TimeInGcPercent,
    double AllocatedMiBPerSecond,
    double ThreadPoolQueueMax,
    double ThreadPoolThreadsMax,
    double LockContentionsPerSecond,
    double ExceptionsPerSecond,
    double JitMsPerSecond = 0);
