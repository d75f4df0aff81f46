using System.Diagnostics;
using System.Globalization;
using ReferralNetwork.Benchmarks;
using ReferralNetwork.Testing;

// The load generator of ./bench.sh. Each command is one step of the benchmark; bench.sh starts and stops the
// servers around them. Run without arguments for the usage.
var arguments = Arguments.Parse(args);
try
{
    return arguments.Command switch
    {
        "ports" => Ports(arguments),
        "mix" => await MixAsync(arguments),
        "read" => await ReadAsync(arguments),
        "memory" => await MemoryAsync(arguments),
        "dashboards" => await DashboardsAsync(arguments),
        "surge" => await SurgeAsync(arguments),
        "surge-directory" => SurgeDirectory(arguments),
        "summary" => Summary.Print(arguments.Required("dir")),
        _ => Usage(),
    };
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException or AggregateException)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    if (e is AggregateException aggregate)
    {
        foreach (var inner in aggregate.InnerExceptions.Take(3))
        {
            Console.Error.WriteLine(inner);
        }
    }

    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: ReferralNetwork.Benchmarks <command> [options]     (normally run by ./bench.sh)
          ports   --count N                                    free loopback TCP ports, one a line
          mix     --url U… --pid P… --connections C --warmup S --duration S --out F.json [--created F.tsv] [--pgbench F.json]
          read    --url U… --pid P… --connections C --warmup S --duration S --out F.json [--pool N]
          memory  --url U --pid P --created F.tsv… [--count N] [--empty N] [--max-seconds S] --out F.json
          dashboards --url U --pid P --referrals N --out F.json [--year Y] [--compute-year Y] [--busy-year Y] [--country C]
                  [--connections C]… [--warmup S] [--duration S]
                                                       first (cold) and warm answers of every dashboard, as the secretariat
          surge   --url U… --pid P… --people N --out F.json [--connections C] [--warmup S] [--duration S] [--surge-warmup S]
                  [--batches-at-once B] [--screening-workers W] [--groups-at-once G]
                                                       the surge of issue 17 (import, screening, return groups) while the mix runs
          surge-directory --out F.json                 the import-directory file of the embassies the surge returns people to
          summary --dir D                                      the tables and goals of a finished run
        --url and --pid repeat for a platform of several silos: workers are spread over the addresses, CPU and
        memory are summed over the processes.
        """);
    return 2;
}

static int Ports(Arguments arguments)
{
    foreach (var port in FreePorts.OnLoopback(arguments.Int("count", 1)))
    {
        Console.WriteLine(port);
    }

    return 0;
}

static async Task<int> MixAsync(Arguments arguments)
{
    var connections = arguments.Int("connections", 16);
    using var platform = new PlatformClient(arguments.Urls, connections);
    var scenario = await MixScenario.PrepareAsync(platform, CancellationToken.None);
    var result = await LoadRun.RunAsync(
        $"mix-{connections}", connections, arguments.Seconds("warmup", 10), arguments.Seconds("duration", 30), arguments.Pids,
        scenario.Operations, scenario.WorkerAsync, Log);
    ResultFiles.Write(arguments.Required("out"), result);
    if (arguments.Optional("created") is { } created)
    {
        await File.WriteAllLinesAsync(created, scenario.Created.Select(c => $"{c.Id}\t{c.Holder}"));
    }

    var pgbench = arguments.Optional("pgbench") is { } path ? ResultFiles.Read<PgbenchResult>(path) : null;
    Console.WriteLine(Tables.Phase(result, pgbench?.TransactionsPerSecond));
    return 0;
}

static async Task<int> ReadAsync(Arguments arguments)
{
    var connections = arguments.Int("connections", 64);
    using var platform = new PlatformClient(arguments.Urls, connections);
    var scenario = await ReadScenario.PrepareAsync(platform, arguments.Int("pool", 1024), CancellationToken.None);
    var result = await LoadRun.RunAsync(
        $"read-{connections}", connections, arguments.Seconds("warmup", 5), arguments.Seconds("duration", 20), arguments.Pids,
        scenario.Operations, scenario.WorkerAsync, Log);
    ResultFiles.Write(arguments.Required("out"), result);
    Console.WriteLine(Tables.Phase(result, null));
    return 0;
}

// Bytes per active referral grain, measured from outside the process: live heap after forced full GCs before and
// after activating N referrals that were saved but are not active (the platform was restarted since they were created).
static async Task<int> MemoryAsync(Arguments arguments)
{
    var pid = arguments.Pids.Single();
    var referrals = arguments.All("created").SelectMany(File.ReadLines).Select(line => line.Split('\t'))
        .Select(f => new CreatedReferral(Guid.Parse(f[0]), f[1])).DistinctBy(r => r.Id).ToList();
    var warmUp = Math.Min(256, referrals.Count / 2);
    var count = Math.Min(arguments.Int("count", 100_000), referrals.Count - warmUp);
    if (count < 200)
    {
        // Still worth the fixed cost per activation below; the per-grain figure would be noise.
        Log($"memory: only {referrals.Count} referrals were created by the mix, too few for bytes per grain; measuring the fixed cost only");
        count = 0;
    }

    using var platform = new PlatformClient(arguments.Urls, 32);
    var tokens = await platform.TokensAsync(referrals.Select(r => r.Holder).Append(DemoCases.Pairs[0].Holder), CancellationToken.None);

    // Warm the read path (JIT, connection pools, storage connections) so that the difference is the grains alone.
    await ActivateAsync(platform, tokens, referrals.Take(warmUp).ToList(), TimeSpan.FromMinutes(2));
    var heapBefore = await MemoryProbe.LiveHeapAsync(pid);
    var rssBefore = ProcessStats.StatusBytes(pid, "VmRSS") ?? 0;
    Log($"memory: live heap {Tables.Mib(heapBefore.TotalBytes)} MiB; activating {count} referrals");

    var watch = Stopwatch.StartNew();
    var (activated, failed) = await ActivateAsync(platform, tokens, referrals.Skip(warmUp).Take(count).ToList(), arguments.Seconds("max-seconds", 60));
    var seconds = watch.Elapsed.TotalSeconds;
    var heapAfter = await MemoryProbe.LiveHeapAsync(pid);
    var rssAfter = ProcessStats.StatusBytes(pid, "VmRSS") ?? 0;

    // The fixed cost of an activation, with many more grains than the mix could create: GET of ids that were never
    // created activates a referral grain whose state is empty (answered 404); it stays active like any other.
    var emptyCount = arguments.Int("empty", 20_000);
    Log($"memory: activating {emptyCount} referral grains that do not exist");
    var stranger = referrals.FirstOrDefault()?.Holder ?? DemoCases.Pairs[0].Holder;
    var strangers = Enumerable.Range(0, emptyCount).Select(_ => new CreatedReferral(Guid.NewGuid(), stranger)).ToList();
    var (emptyAnswered, _) = await ActivateAsync(platform, tokens, strangers, arguments.Seconds("max-seconds", 60), expected: 404);
    var heapEmpty = await MemoryProbe.LiveHeapAsync(pid);

    var result = new MemoryResult(activated, failed, heapBefore, heapAfter, rssBefore, rssAfter, seconds, emptyAnswered, heapEmpty);
    ResultFiles.Write(arguments.Required("out"), result);
    Console.WriteLine(Tables.Memory(result));
    return 0;
}

// Every dashboard as the secretariat reads it: the first answer for a year (cold, then in a warm process: a family's
// computation), then warm answers at each number of connections, then warm answers while another year is computed.
static async Task<int> DashboardsAsync(Arguments arguments)
{
    var connections = arguments.All("connections").Select(c => int.Parse(c, CultureInfo.InvariantCulture)).DefaultIfEmpty(1).ToList();
    var year = arguments.Int("year", 2025);
    var computeYear = arguments.Int("compute-year", year + 1);
    var busyYear = arguments.Int("busy-year", year - 1);
    var warmup = arguments.Seconds("warmup", 5);
    var duration = arguments.Seconds("duration", 20);
    using var platform = new PlatformClient(arguments.Urls, connections.Max());

    // A first answer computes a year's families: minutes are possible at a million referrals, beyond the 30 s of the load phases.
    using var patient = new PlatformClient(arguments.Urls, 1, TimeSpan.FromMinutes(30));
    var token = (await platform.TokensAsync([DashboardScenario.Secretariat], CancellationToken.None))[DashboardScenario.Secretariat];
    var names = await DashboardScenario.NamesAsync(platform.For(0), token);
    Log($"dashboards: {string.Join(", ", names)}");
    var cold = await DashboardScenario.FirstAnswersAsync(patient.For(0), token, names, year, Log);
    var compute = await DashboardScenario.FirstAnswersAsync(patient.For(0), token, names, computeYear, Log);
    var scenario = await DashboardScenario.PrepareAsync(platform, token, names, year, arguments.Optional("country") ?? "KH");

    var phases = new List<PhaseResult>();
    foreach (var c in connections)
    {
        scenario.Reset();
        phases.Add(await LoadRun.RunAsync($"warm-{c}", c, warmup, duration, arguments.Pids, scenario.Operations, scenario.WorkerAsync, Log));
    }

    scenario.Reset();
    List<FirstAnswer> busy = [];
    phases.Add(await LoadRun.RunAsync(
        $"warm-1-while-computing-{busyYear}", 1, TimeSpan.FromSeconds(2), TimeSpan.Zero, arguments.Pids, scenario.Operations, scenario.WorkerAsync, Log,
        async () => busy = await DashboardScenario.FirstAnswersAsync(patient.For(0), token, names, busyYear, Log)));

    var result = new DashboardsResult(arguments.Int("referrals", 0), year, computeYear, busyYear, scenario.Requests, cold, compute, busy, phases);
    ResultFiles.Write(arguments.Required("out"), result);
    Console.WriteLine(DashboardTables.Print(result));
    return 0;
}

// The surge of issue 17: the usual mix alone (quiet), then the same mix while each step of the surge runs.
static async Task<int> SurgeAsync(Arguments arguments)
{
    var connections = arguments.Int("connections", 16);
    var people = arguments.Int("people", 7000);
    var surgeWarmup = arguments.Seconds("surge-warmup", 3);
    using var platform = new PlatformClient(arguments.Urls, connections);
    using var surgeClient = new PlatformClient(arguments.Urls, 16, TimeSpan.FromMinutes(5));
    // The surge outlives an access token (30 minutes): every token is renewed in the background.
    await using var tokens = new RenewedTokens(surgeClient, DemoCases.Organizations.Concat(SurgeCohort.Organizations));
    await tokens.StartAsync();
    var mix = await MixScenario.PrepareAsync(platform, tokens);
    var surge = await SurgeScenario.PrepareAsync(surgeClient, tokens, Log);
    surge.BatchesAtOnce = arguments.Int("batches-at-once", 1);
    surge.ScreeningWorkers = arguments.Int("screening-workers", 4);
    surge.GroupsAtOnce = arguments.Int("groups-at-once", 1);

    var quietMix = mix.Fresh();
    var quiet = await LoadRun.RunAsync(
        "quiet", connections, arguments.Seconds("warmup", 5), arguments.Seconds("duration", 20), arguments.Pids, quietMix.Operations, quietMix.WorkerAsync, Log);
    Console.Error.WriteLine(Tables.Phase(quiet, null));
    var during = new List<PhaseResult>();
    foreach (var (name, step) in new (string, Func<Task>)[] { ("during import", () => surge.ImportAsync(people)), ("during screening", surge.ScreenAsync), ("during groups", surge.ReturnAsync) })
    {
        var phaseMix = mix.Fresh();
        var phase = await LoadRun.RunAsync(name, connections, surgeWarmup, TimeSpan.Zero, arguments.Pids, phaseMix.Operations, phaseMix.WorkerAsync, Log, step);
        Console.Error.WriteLine(Tables.Phase(phase, null));
        during.Add(phase);
    }

    var result = new SurgeResult(people, connections, surge.BatchSize, surge.BatchesAtOnce, surge.ScreeningWorkers, surge.GroupsAtOnce,
        surge.Cohort(people), surge.Steps, quiet, during, surge.Steps.Sum(s => s.Seconds));
    ResultFiles.Write(arguments.Required("out"), result);
    Console.WriteLine(SurgeTables.Print(result));
    return 0;
}

static int SurgeDirectory(Arguments arguments)
{
    File.WriteAllText(arguments.Required("out"), SurgeCohort.DirectoryFile(PlatformClient.DemoSecret));
    return 0;
}

// GETs each referral once (32 at a time) until all are read or the time is up; answers how many succeeded and failed.
static async Task<(int Activated, int Failed)> ActivateAsync(
    PlatformClient platform, IReadOnlyDictionary<string, string> tokens, IReadOnlyList<CreatedReferral> referrals, TimeSpan limit, int expected = 200)
{
    int activated = 0, failed = 0;
    var deadline = Stopwatch.StartNew();
    await Parallel.ForAsync(0, referrals.Count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
    {
        if (deadline.Elapsed > limit)
        {
            return;
        }

        var referral = referrals[i];
        var reply = await PlatformClient.SendAsync(platform.For(i), HttpMethod.Get, $"/api/v1/referrals/{referral.Id}", tokens[referral.Holder]);
        Interlocked.Increment(ref reply.Status == expected ? ref activated : ref failed);
    });
    return (activated, failed);
}

static void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

/// <summary>--name value options; --url, --pid and --created may repeat.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, List<string>> _values = [];

    public string Command { get; private init; } = "";

    public IReadOnlyList<Uri> Urls => [.. All("url").Select(u => new Uri(u))];

    public IReadOnlyList<int> Pids => [.. All("pid").Select(p => int.Parse(p, CultureInfo.InvariantCulture))];

    public static Arguments Parse(string[] args)
    {
        var parsed = new Arguments { Command = args.FirstOrDefault() ?? "" };
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected --name value, got '{args[i]}'.");
            }

            var name = args[i][2..];
            if (!parsed._values.TryGetValue(name, out var list))
            {
                parsed._values[name] = list = [];
            }

            list.Add(args[++i]);
        }

        return parsed;
    }

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public string? Optional(string name) => All(name) is [.., var last] ? last : null;

    public string Required(string name) => Optional(name) ?? throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int fallback) => Optional(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public TimeSpan Seconds(string name, double fallback) =>
        TimeSpan.FromSeconds(Optional(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback);
}
