using System.Collections.Concurrent;
using System.Diagnostics;

namespace ReferralNetwork.Benchmarks;

/// <summary>One kind of call in a load phase, with its latencies and unexpected answers.</summary>
public sealed class Operation(string name, bool changesState)
{
    public string Name { get; } = name;

    /// <summary>A state-changing call: one durable write (at least) in the platform.</summary>
    public bool ChangesState { get; } = changesState;

    public LatencyHistogram Latency { get; } = new();

    public ConcurrentDictionary<string, long> Errors { get; } = new();

    public long Succeeded;
}

/// <summary>
/// Closed-loop load: N workers each send one request at a time for a warm-up, then for a fixed measurement
/// window; a response is counted when it arrives inside the window. Latency is from just before the request
/// is handed to HttpClient until its whole body is read.
/// </summary>
public sealed class LoadRun
{
    private readonly LatencyHistogram _all = new();
    private readonly LatencyHistogram _stateChanges = new();
    private volatile bool _measuring;
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    /// <summary>Times a call and counts it if the window is open; true when the answer is a success.</summary>
    public bool Record(Operation operation, long startedTimestamp, in Reply reply)
    {
        if (_measuring)
        {
            var micros = (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMicroseconds;
            operation.Latency.Record(micros);
            _all.Record(micros);
            if (operation.ChangesState)
            {
                _stateChanges.Record(micros);
            }

            if (reply.IsSuccess)
            {
                Interlocked.Increment(ref operation.Succeeded);
            }
            else
            {
                operation.Errors.AddOrUpdate(reply.ErrorKey, 1, (_, n) => n + 1);
            }
        }

        return reply.IsSuccess;
    }

    /// <param name="window">
    /// When given, the measurement window lasts until this completes (started when the window opens) instead of
    /// <paramref name="duration"/>: the dashboards measure answers while the platform computes something else.
    /// </param>
    public static async Task<PhaseResult> RunAsync(
        string name, int workers, TimeSpan warmup, TimeSpan duration, IReadOnlyList<int> platformPids, IReadOnlyList<Operation> operations,
        Func<int, LoadRun, Task> worker, Action<string> log, Func<Task>? window = null)
    {
        var run = new LoadRun();
        var failures = new ConcurrentQueue<Exception>();
        var tasks = Enumerable.Range(0, workers).Select(i => Task.Run(async () =>
        {
            try
            {
                await worker(i, run);
            }
            catch (Exception e)
            {
                // A bug in a worker must not pass for a quiet platform: it is reported and fails the phase.
                failures.Enqueue(e);
            }
        })).ToArray();

        log($"{name}: {workers} connections, warm-up {warmup.TotalSeconds:0} s");
        await Task.Delay(warmup);
        var probes = platformPids.Select(pid => RuntimeProbe.TryStart(pid, log)).ToList();
        var cpu = CpuWindow.Start(platformPids);
        var watch = Stopwatch.StartNew();
        run._measuring = true;
        log(window is null ? $"{name}: measuring for {duration.TotalSeconds:0} s" : $"{name}: measuring while the window's task runs");
        await (window?.Invoke() ?? Task.Delay(duration));
        run._measuring = false;
        var seconds = watch.Elapsed.TotalSeconds;
        var resources = cpu.Stop(seconds);
        run._stopping = true;
        var runtime = new List<RuntimeFigures>();
        foreach (var probe in probes.OfType<RuntimeProbe>())
        {
            runtime.Add(await probe.StopAsync(seconds));
        }

        var all = Task.WhenAll(tasks);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(40))) != all)
        {
            log($"{name}: some workers did not finish within 40 s of the end");
        }

        if (!failures.IsEmpty)
        {
            throw new AggregateException($"{name}: {failures.Count} workers failed", failures);
        }

        return PhaseResult.From(name, workers, warmup, seconds, operations, run._all, run._stateChanges, resources, runtime);
    }
}
