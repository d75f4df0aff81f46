using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ReferralNetwork.Benchmarks;

public sealed record OperationResult(
    string Name,
    bool ChangesState,
    long Responses,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorsByKind,
    double RequestsPerSecond,
    double P50Ms,
    double P90Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs)
{
    public static OperationResult From(string name, bool changesState, LatencyHistogram latency, long errors, IReadOnlyDictionary<string, long> byKind, double seconds) =>
        new(name, changesState, latency.Count, errors, byKind, latency.Count / seconds,
            latency.PercentileMicros(50) / 1000.0, latency.PercentileMicros(90) / 1000.0, latency.PercentileMicros(95) / 1000.0, latency.PercentileMicros(99) / 1000.0,
            latency.MaxMicros / 1000.0, latency.MeanMicros / 1000.0);
}

/// <param name="StateChangesPerSecond">Successful state-changing calls per second: the numerator of the ratio to pgbench.</param>
public sealed record PhaseResult(
    string Name,
    int Connections,
    double WarmupSeconds,
    double Seconds,
    IReadOnlyList<OperationResult> Operations,
    OperationResult Mix,
    OperationResult StateChanges,
    double StateChangesPerSecond,
    ResourceUse Resources,
    IReadOnlyList<RuntimeFigures> Runtime)
{
    public static PhaseResult From(
        string name, int connections, TimeSpan warmup, double seconds, IReadOnlyList<Operation> operations, LatencyHistogram all, LatencyHistogram stateChanges, ResourceUse resources, IReadOnlyList<RuntimeFigures> runtime)
    {
        var results = operations.Select(o => OperationResult.From(o.Name, o.ChangesState, o.Latency, o.Errors.Values.Sum(), new Dictionary<string, long>(o.Errors), seconds)).ToList();
        var errors = operations.SelectMany(o => o.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        var mix = OperationResult.From("all", false, all, errors.Values.Sum(), errors, seconds);
        var writeErrors = operations.Where(o => o.ChangesState).SelectMany(o => o.Errors).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));
        var writes = OperationResult.From("changes", true, stateChanges, writeErrors.Values.Sum(), writeErrors, seconds);
        var changes = operations.Where(o => o.ChangesState).Sum(o => o.Succeeded) / seconds;
        return new PhaseResult(name, connections, warmup.TotalSeconds, seconds, results, mix, writes, changes, resources, runtime);
    }
}

/// <summary>Bytes per active referral grain: live heap after a forced full GC, before and after activating N referrals.</summary>
public sealed record MemoryResult(
    int Activated,
    int Failed,
    GcHeap HeapBefore,
    GcHeap HeapAfter,
    long RssBefore,
    long RssAfter,
    double ActivationSeconds,
    int EmptyActivated,
    GcHeap HeapAfterEmpty)
{
    /// <summary>Live heap per activation of a referral that does not exist: Orleans' and the grain's fixed cost, without state.</summary>
    public double HeapBytesPerEmptyGrain => EmptyActivated == 0 ? 0 : (double)(HeapAfterEmpty.TotalBytes - HeapAfter.TotalBytes) / EmptyActivated;

    public double HeapBytesPerGrain => Activated == 0 ? 0 : (double)(HeapAfter.TotalBytes - HeapBefore.TotalBytes) / Activated;

    public double RssBytesPerGrain => Activated == 0 ? 0 : (double)(RssAfter - RssBefore) / Activated;
}

public sealed record GcHeap(long TotalBytes, long Gen0Bytes, long Gen1Bytes, long Gen2Bytes, long LohBytes, long PohBytes, long GcHandles, long PinnedObjects);

public sealed record PgbenchResult(double TransactionsPerSecond, double LatencyMs, int Clients, int Seconds);

/// <summary>Start to ready; the smoke run has no restart, hence no warm figure.</summary>
public sealed record StartResult(double ColdSeconds, double? WarmSeconds);

/// <summary>The dashboards scenario's seed, as bench.sh measured it (seed.json).</summary>
public sealed record SeedResult(long Referrals, double Seconds, long DatabaseBytes, string LoadAverageBefore);

public static class ResultFiles
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Write<T>(string path, T value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Options));

    public static T? Read<T>(string path) where T : class =>
        File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) : null;
}

/// <summary>The tables bench.sh prints.</summary>
public static class Tables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Phase(PhaseResult phase, double? pgbenchTps)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"{phase.Name}: {phase.Connections} connections, {phase.Seconds:0.0} s measured after {phase.WarmupSeconds:0} s warm-up");
        text.AppendLine(Invariant, $"  {"operation",-12} {"req/s",9} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"errors",7}");
        var totals = phase.StateChanges.Responses > 0 && phase.Operations.Count > 1 ? new[] { phase.StateChanges, phase.Mix } : [phase.Mix];
        foreach (var op in phase.Operations.Concat(totals))
        {
            var name = op.Name + (op.ChangesState ? " *" : "");
            text.AppendLine(Invariant, $"  {name,-12} {op.RequestsPerSecond,9:0.0} {op.P50Ms,8:0.00} {op.P99Ms,8:0.00} {op.MaxMs,8:0.0} {op.Errors,7}{ErrorKinds(op)}");
        }

        if (phase.StateChangesPerSecond > 0)
        {
            var ratio = pgbenchTps is > 0 ? string.Create(Invariant, $" = {phase.StateChangesPerSecond / pgbenchTps.Value:0.000} × pgbench -N") : "";
            text.AppendLine(Invariant, $"  state changes (*): {phase.StateChangesPerSecond:0.0}/s{ratio}");
        }

        text.AppendLine(Resources(phase.Resources));
        foreach (var r in phase.Runtime ?? [])
        {
            text.AppendLine(Runtime(r));
        }

        return text.ToString();
    }

    public static string Runtime(RuntimeFigures r) => string.Create(Invariant,
        $"  runtime: {r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections} GCs (gen 0/1/2), suspended {r.PausedPercent:0.0} % of the time (longest {r.MaxPauseMs:0.0} ms), allocating {r.AllocatedMiBPerSecond:0} MiB/s, thread pool queue ≤ {r.ThreadPoolQueueMax:0} with ≤ {r.ThreadPoolThreadsMax:0} threads, {r.LockContentionsPerSecond:0} lock contentions/s, {r.ExceptionsPerSecond:0} exceptions/s, JIT compiling {r.JitMsPerSecond:0} ms/s");

    public static string Resources(ResourceUse r)
    {
        var peak = r.PeakIsPerPhase ? "" : " (since start)";
        return string.Create(Invariant,
            $"  CPU (cores of {r.Cores}): platform {r.PlatformCpuCores:0.00}, load generator {r.GeneratorCpuCores:0.00}, other processes {r.OtherCpuCores:0.00}, machine busy {r.MachineBusyCores:0.00}, iowait {r.MachineIowaitCores:0.00}; platform peak RSS {Mib(r.PlatformPeakRssBytes)} MiB{peak}, threads {r.PlatformThreadsMax}; loadavg before: {r.LoadAverageBefore}");
    }

    public static string Memory(MemoryResult m)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"memory: {m.Activated} referral grains activated by GET in {m.ActivationSeconds:0.0} s ({m.Failed} failed){(m.Activated == 0 ? "; too few referrals for bytes per grain" : "")}");
        text.AppendLine(Invariant,
            $"  live heap after forced full GCs: {Mib(m.HeapBefore.TotalBytes)} → {Mib(m.HeapAfter.TotalBytes)} MiB = {m.HeapBytesPerGrain:0} bytes per grain ({m.HeapBytesPerGrain / 1024:0.00} KiB); GC handles {m.HeapBefore.GcHandles} → {m.HeapAfter.GcHandles}");
        text.AppendLine(Invariant, $"  RSS: {Mib(m.RssBefore)} → {Mib(m.RssAfter)} MiB = {m.RssBytesPerGrain:0} bytes per grain (includes heap the GC keeps for later)");
        text.Append(Invariant,
            $"  fixed cost: {m.EmptyActivated} activations of referrals that do not exist (404): {Mib(m.HeapAfter.TotalBytes)} → {Mib(m.HeapAfterEmpty.TotalBytes)} MiB = {m.HeapBytesPerEmptyGrain:0} bytes per activation");
        return text.ToString();
    }

    private static string ErrorKinds(OperationResult op) =>
        op.ErrorsByKind.Count == 0 ? "" : "  (" + string.Join(", ", op.ErrorsByKind.OrderByDescending(e => e.Value).Select(e => $"{e.Key}: {e.Value}")) + ")";

    public static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", Invariant);
}
