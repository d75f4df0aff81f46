using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ReferralNetwork.Benchmarks;

/// <summary>One dashboard answer as the warm phases ask for it: a whole period, a country (null: all), a main form (null: all).</summary>
public sealed record DashboardRequest(string Dashboard, string Period, string? Country, string? Exploitation)
{
    public string Path =>
        $"/api/v1/dashboard/{Dashboard}?period={Period}{(Country is null ? "" : $"&country={Country}")}{(Exploitation is null ? "" : $"&exploitation={Exploitation}")}";
}

/// <summary>
/// The first request of a dashboard for a year since the platform started: it reads and protects every table family
/// of that dashboard for that year (families it shares counts with were computed by the dashboards asked before it).
/// </summary>
public sealed record FirstAnswer(string Dashboard, int Year, double Milliseconds, int Status, long Bytes, string LoadAverageBefore);

/// <summary>What <c>bench.sh --scenario dashboards</c> writes into its results folder (dashboards.json).</summary>
public sealed record DashboardsResult(
    long Referrals,
    int Year,
    int ComputeYear,
    int BusyYear,
    IReadOnlyList<DashboardRequest> Requests,
    IReadOnlyList<FirstAnswer> Cold,
    IReadOnlyList<FirstAnswer> Compute,
    IReadOnlyList<FirstAnswer> ComputeWhileAnswering,
    IReadOnlyList<PhaseResult> Phases);

/// <summary>
/// The dashboards of issue 12 as the secretariat reads them. A dashboard is answered from protected table families held
/// in memory per year, so the scenario measures two different things: the time to compute a year's families (the first
/// request after a start, and again at every refresh, in the background) and the time of an answer once they are there.
/// </summary>
public sealed class DashboardScenario
{
    public const string Secretariat = "regional-secretariat";
    public const string Form = "forced-criminality";
    public const double GoalP95Ms = 50;
    public const int FewestForP95 = 200;

    private readonly PlatformClient _platform;
    private readonly string _token;
    private readonly IReadOnlyList<DashboardRequest> _requests;
    private readonly Dictionary<string, Operation> _operations;

    private DashboardScenario(PlatformClient platform, string token, IReadOnlyList<string> names, IReadOnlyList<DashboardRequest> requests)
    {
        _platform = platform;
        _token = token;
        _requests = requests;
        _operations = names.ToDictionary(n => n, n => new Operation(n, false));
    }

    public IReadOnlyList<Operation> Operations => [.. _operations.Values];

    /// <summary>
    /// Every dashboard of the platform's catalog, in its order: an unknown name is a 404 whose problem lists them all.
    /// The benchmark follows the catalog as the platform has it rather than a copy that could fall behind.
    /// </summary>
    public static async Task<IReadOnlyList<string>> NamesAsync(HttpClient client, string token)
    {
        var reply = await PlatformClient.SendAsync(client, HttpMethod.Get, "/api/v1/dashboard/none?period=2025", token, keepBody: true);
        const string Marker = "Dashboards: ";
        var detail = reply.Status == 404 && reply.Body is { } body && JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        var at = detail.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"Could not read the dashboards' names from the answer to an unknown one ({reply.ErrorKey}: '{detail}').");
        }

        return [.. detail[(at + Marker.Length)..].TrimEnd('.').Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    /// <summary>The first answer of each dashboard for a year, one after the other; each must succeed.</summary>
    public static async Task<List<FirstAnswer>> FirstAnswersAsync(HttpClient client, string token, IEnumerable<string> names, int year, Action<string> log)
    {
        var answers = new List<FirstAnswer>();
        foreach (var name in names)
        {
            var load = ProcessStats.LoadAverage();
            var started = Stopwatch.GetTimestamp();
            var reply = await PlatformClient.SendAsync(client, HttpMethod.Get, new DashboardRequest(name, year.ToString(CultureInfo.InvariantCulture), null, null).Path, token, keepBody: true);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (!reply.IsSuccess)
            {
                throw new InvalidOperationException($"The first {name} of {year} answered {reply.ErrorKey}: {Encoding.UTF8.GetString(reply.Body ?? [])}");
            }

            log($"dashboards: first {name} of {year} in {ms:0} ms");
            answers.Add(new FirstAnswer(name, year, ms, reply.Status, reply.Body?.LongLength ?? 0, load));
        }

        return answers;
    }

    /// <summary>
    /// The warm phases' requests: every dashboard × the year, its second quarter and May × all countries and
    /// <paramref name="country"/>, and again with the exploitation filter where the dashboard offers it (asked of the
    /// platform: a 400 means it has none).
    /// </summary>
    public static async Task<DashboardScenario> PrepareAsync(PlatformClient platform, string token, IReadOnlyList<string> names, int year, string country)
    {
        var periods = new[] { $"{year}", $"{year}-Q2", $"{year}-05" };
        var requests = new List<DashboardRequest>();
        foreach (var name in names)
        {
            var probe = await PlatformClient.SendAsync(platform.For(0), HttpMethod.Get, new DashboardRequest(name, periods[0], null, Form).Path, token);
            if (probe.Status is not (200 or 400))
            {
                throw new InvalidOperationException($"{name} with exploitation={Form} answered {probe.ErrorKey}.");
            }

            foreach (var form in probe.Status == 200 ? new[] { null, Form } : [null])
            {
                requests.AddRange(periods.SelectMany(p => new[] { null, country }.Select(c => new DashboardRequest(name, p, c, form))));
            }
        }

        return new DashboardScenario(platform, token, names, requests);
    }

    public IReadOnlyList<DashboardRequest> Requests => _requests;

    /// <summary>Each worker goes round every request in its own shuffled order, one at a time.</summary>
    public async Task WorkerAsync(int worker, LoadRun run)
    {
        var client = _platform.For(worker);
        var random = new Random(worker);
        var order = _requests.OrderBy(_ => random.Next()).ToArray();
        for (var i = 0; !run.Stopping; i++)
        {
            var request = order[i % order.Length];
            var started = Stopwatch.GetTimestamp();
            var reply = await PlatformClient.SendAsync(client, HttpMethod.Get, request.Path, _token);
            run.Record(_operations[request.Dashboard], started, reply);
        }
    }

    public void Reset()
    {
        foreach (var name in _operations.Keys.ToList())
        {
            _operations[name] = new Operation(name, false);
        }
    }
}

/// <summary>The tables of the dashboards scenario.</summary>
public static class DashboardTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Print(DashboardsResult r)
    {
        var text = new StringBuilder();
        var filtered = r.Requests.Where(q => q.Exploitation is not null).Select(q => q.Dashboard).Distinct().ToList();
        var dashboards = r.Cold.Select(c => c.Dashboard).ToList();
        text.AppendLine(Invariant, $"dashboards: {r.Referrals:N0} synthetic referrals; the secretariat's token; {dashboards.Count} dashboards");
        text.AppendLine(Invariant, $"  first request of each dashboard for a year (reads and protects the year's families of its tables), one at a time:");
        text.AppendLine(Invariant, $"    cold: {r.Year}, the first requests since the platform started (includes compiling the code paths)");
        text.AppendLine(Invariant, $"    computed: {r.ComputeYear}, in the warmed process: what a refresh costs");
        text.AppendLine(Invariant, $"    while answering: {r.BusyYear}, while one client reads warm answers (the phase below)");
        text.AppendLine(Invariant, $"  {"dashboard",-16} {"cold ms",10} {"computed ms",12} {"while answering ms",19} {"answer KiB",11}");
        foreach (var cold in r.Cold)
        {
            var compute = r.Compute.FirstOrDefault(c => c.Dashboard == cold.Dashboard);
            var busy = r.ComputeWhileAnswering.FirstOrDefault(c => c.Dashboard == cold.Dashboard);
            text.AppendLine(Invariant, $"  {cold.Dashboard,-16} {cold.Milliseconds,10:0} {compute?.Milliseconds,12:0} {busy?.Milliseconds,19:0} {cold.Bytes / 1024.0,11:0.0}");
        }

        text.AppendLine(Invariant, $"  {"all",-16} {r.Cold.Sum(c => c.Milliseconds),10:0} {r.Compute.Sum(c => c.Milliseconds),12:0} {r.ComputeWhileAnswering.Sum(c => c.Milliseconds),19:0}");
        text.AppendLine(Invariant, $"  loadavg before the cold requests: {r.Cold.FirstOrDefault()?.LoadAverageBefore}; before the computed ones: {r.Compute.FirstOrDefault()?.LoadAverageBefore}");
        text.AppendLine();
        text.AppendLine(Invariant,
            $"warm answers: {r.Requests.Count} requests in a shuffled round per connection: every dashboard × {r.Year}, {r.Year}-Q2, {r.Year}-05 × all countries and {r.Requests.Select(q => q.Country).OfType<string>().FirstOrDefault()}; also exploitation={DashboardScenario.Form} on {string.Join(", ", filtered)}");
        foreach (var phase in r.Phases)
        {
            text.AppendLine(Phase(phase));
        }

        text.AppendLine(Invariant, $"goal (issue 12): every dashboard's p95 ≤ {DashboardScenario.GoalP95Ms:0} ms at 1,000,000 referrals on both stores; here {r.Referrals:N0}:");
        foreach (var phase in r.Phases)
        {
            var worst = phase.Operations.MaxBy(o => o.P95Ms)!;
            var missed = phase.Operations.Where(o => o.P95Ms > DashboardScenario.GoalP95Ms || o.Errors > 0).Select(o => o.Name).ToList();
            var fewest = phase.Operations.Min(o => o.Responses);

            // A 95th percentile of a few dozen answers is one slow answer; the phase while a year is computed is that short at 10,000.
            var verdict = fewest < DashboardScenario.FewestForP95 ? "—          " : missed.Count == 0 ? "reached    " : "NOT reached";
            text.AppendLine(Invariant,
                $"  {verdict}  {phase.Name}: worst p95 {worst.P95Ms:0.0} ms ({worst.Name}){(missed.Count == 0 ? "" : $"; over the goal or failing: {string.Join(", ", missed)}")}{(fewest < DashboardScenario.FewestForP95 ? $"; only {fewest} answers of a dashboard, too few for a p95" : "")}");
        }

        return text.ToString();
    }

    public static string Phase(PhaseResult phase)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"{phase.Name}: {phase.Connections} connection{(phase.Connections == 1 ? "" : "s")}, {phase.Seconds:0.0} s measured after {phase.WarmupSeconds:0} s warm-up");
        text.AppendLine(Invariant, $"  {"dashboard",-16} {"requests",9} {"req/s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8} {"errors",7}");
        foreach (var op in phase.Operations.Append(phase.Mix))
        {
            text.AppendLine(Invariant, $"  {op.Name,-16} {op.Responses,9} {op.RequestsPerSecond,8:0.0} {op.P50Ms,8:0.00} {op.P95Ms,8:0.00} {op.P99Ms,8:0.00} {op.MaxMs,8:0.0} {op.Errors,7}");
        }

        text.AppendLine(Tables.Resources(phase.Resources));
        foreach (var r in phase.Runtime ?? [])
        {
            text.AppendLine(Tables.Runtime(r));
        }

        return text.ToString();
    }
}
