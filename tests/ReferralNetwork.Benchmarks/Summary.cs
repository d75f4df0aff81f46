using System.Globalization;
using System.Text;

namespace ReferralNetwork.Benchmarks;

/// <summary>The closing report of a bench.sh run: the reference, every phase, and the goals of issue 5.</summary>
public static class Summary
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static int Print(string dir)
    {
        var before = ResultFiles.Read<PgbenchResult>(Path.Combine(dir, "pgbench-before.json"));
        var after = ResultFiles.Read<PgbenchResult>(Path.Combine(dir, "pgbench-after.json"));
        var start = ResultFiles.Read<StartResult>(Path.Combine(dir, "start.json"));
        var mixes = Directory.GetFiles(dir, "mix-*.json").Select(ResultFiles.Read<PhaseResult>).OfType<PhaseResult>().OrderBy(p => p.Connections).ToList();
        var read = ResultFiles.Read<PhaseResult>(Path.Combine(dir, "read-64.json"));
        var memory = ResultFiles.Read<MemoryResult>(Path.Combine(dir, "memory.json"));
        var profile = File.Exists(Path.Combine(dir, "profile")) ? File.ReadAllText(Path.Combine(dir, "profile")).Trim() : "embedded";

        var text = new StringBuilder();
        var dashboards = ResultFiles.Read<DashboardsResult>(Path.Combine(dir, "dashboards.json"));
        var surge = ResultFiles.Read<SurgeResult>(Path.Combine(dir, "surge.json"));
        var scenario = dashboards is not null ? ", dashboards" : surge is not null ? ", surge" : "";
        text.AppendLine(Invariant, $"==== ReferralNetwork benchmark{scenario}: {profile} profile ({dir}) ====");
        if (File.Exists(Path.Combine(dir, "machine.txt")))
        {
            text.Append(File.ReadAllText(Path.Combine(dir, "machine.txt")));
        }

        if (surge is not null)
        {
            // The phases in full (every operation of the mix, the runtime's figures), then the surge's own tables.
            text.AppendLine();
            foreach (var phase in surge.During.Prepend(surge.Quiet))
            {
                text.AppendLine(Tables.Phase(phase, null));
            }

            text.Append(SurgeTables.Print(surge));
            Console.Write(text.ToString());
            return 0;
        }

        if (dashboards is not null)
        {
            if (ResultFiles.Read<SeedResult>(Path.Combine(dir, "seed.json")) is { } seed)
            {
                text.AppendLine(Invariant,
                    $"seed-synthetic {seed.Referrals}: {seed.Seconds:0.0} s ({seed.Referrals / Math.Max(seed.Seconds, 0.001):0} referrals/s), platform database {Tables.Mib(seed.DatabaseBytes)} MiB; loadavg before: {seed.LoadAverageBefore}");
            }

            text.AppendLine();
            text.Append(DashboardTables.Print(dashboards));
            if (File.Exists(Path.Combine(dir, "families.txt")))
            {
                text.AppendLine();
                text.AppendLine("families computed (the platform's log, in order: read = the read model's GROUP BY, protected = the suppression search):");
                foreach (var line in File.ReadLines(Path.Combine(dir, "families.txt")))
                {
                    text.AppendLine(Invariant, $"  {line.Trim()}");
                }
            }

            Console.Write(text.ToString());
            return 0;
        }

        if (dir.TrimEnd('/').EndsWith("-smoke", StringComparison.Ordinal))
        {
            text.AppendLine("smoke run (--smoke): 5-second phases, no pgbench reference, no restart, no memory phase; compare it with another smoke run of the same machine, never with the figures of docs/benchmarks.md");
        }

        if (before is not null)
        {
            var drift = after is null ? "not measured" : string.Create(Invariant, $"{after.TransactionsPerSecond:0} tx/s after, drift {Drift(before, after):+0.0;-0.0} %");
            text.AppendLine(Invariant, $"reference: pgbench -N, {before.Clients} clients, {before.Seconds} s: {before.TransactionsPerSecond:0} tx/s before, {drift}");
        }

        if (start is not null)
        {
            text.AppendLine(Invariant, $"start to ready: {start.ColdSeconds:0.00} s with an empty data folder, {Warm(start)}");
        }

        text.AppendLine();
        foreach (var phase in mixes.Append(read).OfType<PhaseResult>())
        {
            text.AppendLine(Tables.Phase(phase, before?.TransactionsPerSecond));
        }

        if (memory is not null)
        {
            text.AppendLine(Tables.Memory(memory));
            text.AppendLine();
        }

        text.AppendLine("goals (issue 5):");
        var mix64 = mixes.FirstOrDefault(m => m.Connections == 64);
        var tps = before?.TransactionsPerSecond;
        var mix16 = mixes.FirstOrDefault(m => m.Connections == 16);
        if (profile == "production")
        {
            if (mixes.Count > 0 && mix16 is not null && tps is > 0)
            {
                // The peak: the best mix phase; "half of that load": the 16-connection phase, whose rate is printed beside.
                var peak = mixes.MaxBy(m => m.StateChangesPerSecond)!;
                var ratio = peak.StateChangesPerSecond / tps.Value;
                var share = peak.StateChangesPerSecond > 0 ? mix16.StateChangesPerSecond / peak.StateChangesPerSecond : 0;
                Goal(text, "state changes, production (2 silos, PostgreSQL, RabbitMQ)", "≥ 0.6 × pgbench, p99 ≤ 50 ms at half load",
                    string.Create(Invariant, $"{peak.StateChangesPerSecond:0}/s at {peak.Connections} connections = {ratio:0.000} × pgbench; p99 {mix16.StateChanges.P99Ms:0.0} ms at 16 connections ({mix16.StateChangesPerSecond:0}/s, {share:0.00} of the peak)"),
                    ratio >= 0.6 && mix16.StateChanges.P99Ms <= 50 && share <= 0.6);
            }
        }
        else
        {
            Goal(text, "state changes, production (2 silos, PostgreSQL, RabbitMQ)", "≥ 0.6 × pgbench, p99 ≤ 50 ms at half load",
                "not measured in this run: ./bench.sh --profile production", null);
            if (mix64 is not null && tps is > 0)
            {
                var ratio = mix64.StateChangesPerSecond / tps.Value;
                Goal(text, "state changes, embedded, 64 connections", "≥ 0.3 × pgbench, p99 ≤ 100 ms",
                    string.Create(Invariant, $"{mix64.StateChangesPerSecond:0}/s = {ratio:0.000} × pgbench, p99 {mix64.StateChanges.P99Ms:0.0} ms"),
                    ratio >= 0.3 && mix64.StateChanges.P99Ms <= 100);
            }
        }

        if (read is not null)
        {
            var get = read.Operations[0];
            Goal(text, "reading one referral, 64 connections", "≥ 10,000 req/s, p99 ≤ 20 ms",
                string.Create(Invariant, $"{get.RequestsPerSecond:0} req/s, p99 {get.P99Ms:0.0} ms, {get.Errors} errors"),
                get.RequestsPerSecond >= 10_000 && get.P99Ms <= 20 && get.Errors == 0);
        }

        if (start is not null)
        {
            Goal(text, "embedded start to ready", "≤ 3 s",
                string.Create(Invariant, $"{start.ColdSeconds:0.00} s cold, {Warm(start)}"), start.ColdSeconds <= 3 && start.WarmSeconds is null or <= 3);
        }

        if (memory is not null)
        {
            Goal(text, "memory per active referral grain", "≤ 4 KiB",
                string.Create(Invariant, $"{memory.HeapBytesPerGrain / 1024:0.00} KiB of live heap ({memory.Activated} grains; {memory.HeapBytesPerEmptyGrain / 1024:0.00} KiB without state)"), memory.Activated == 0 ? null : memory.HeapBytesPerGrain <= 4096);
        }

        Console.Write(text.ToString());
        return 0;
    }

    private static string Warm(StartResult start) =>
        start.WarmSeconds is { } warm ? string.Create(Invariant, $"{warm:0.00} s with the run's data") : "not measured (no restart)";

    private static double Drift(PgbenchResult before, PgbenchResult after) =>
        (after.TransactionsPerSecond - before.TransactionsPerSecond) / before.TransactionsPerSecond * 100;

    private static void Goal(StringBuilder text, string metric, string goal, string measured, bool? reached) =>
        text.AppendLine(Invariant, $"  {(reached switch { true => "reached    ", false => "NOT reached", null => "—          " })}  {metric}: {goal}; measured {measured}");
}
