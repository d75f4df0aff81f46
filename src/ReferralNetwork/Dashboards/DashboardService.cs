using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards;

/// <summary>What a caller asks for: a dashboard, a whole period, the country whose referrals count (null: all), the main form (null: all).</summary>
public sealed record DashboardQuery(string Dashboard, Period Period, string? Country, ExploitationForm? Exploitation);

/// <summary>
/// Answers dashboards from protected table families. A family (one table of one dashboard for one year) is loaded from
/// the read model, protected once, and served for <see cref="DashboardOptions.RefreshInterval"/>; every period, country
/// and form of that year is cut from the same protection, so no two answers can be set against each other.
/// </summary>
public sealed class DashboardService(IServiceScopeFactory scopes, DashboardOptions options, TimeProvider time, ILogger<DashboardService> logger)
{
    private readonly ConcurrentDictionary<(string Table, int Year), Entry> _families = new();

    private sealed record Family(ProtectedCube Cube, TableData Data, DateTimeOffset At)
    {
        /// <summary>
        /// Statistics already taken, by period, filters and the caller's country: the medians and percentiles of
        /// <c>time-to-return</c> and <c>handoffs</c> go over the year's whole distribution (tens of thousands of values at a
        /// million referrals), the slowest part of a warm answer; the family never changes, so neither do they.
        /// </summary>
        public ConcurrentDictionary<string, DashboardStatistic[]> Statistics { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Forgets every protected family (after a rebuild): the next request computes them again.</summary>
    public void Invalidate() => _families.Clear();

    public async Task<DashboardView> AnswerAsync(DashboardQuery query, CancellationToken cancellationToken)
    {
        var specs = DashboardCatalog.Dashboards[query.Dashboard];
        var tables = new List<DashboardTable>();
        foreach (var spec in specs)
        {
            var family = await FamilyAsync(spec, query.Period.Year, cancellationToken);
            tables.Add(spec.Name == "monthly" ? Trends(spec, family, query) : Table(spec, family, query));
        }

        if (query.Dashboard == "handoffs")
        {
            tables.Add(await OverdueAsync(query.Country, cancellationToken));
        }

        if (query.Dashboard == "surge")
        {
            tables.Add(await WaitingAsync(query.Country, cancellationToken));
        }

        return new DashboardView(
            query.Dashboard, query.Period.ToString(), query.Country ?? "all",
            query.Exploitation is { } form ? DashboardCatalog.Name(form) : null, options.Threshold, tables);
    }

    /// <summary>
    /// The family of a table for a year: computed on first use, then served from memory; once older than the refresh
    /// interval it is still served while one computation of the next runs in the background, so only the very first
    /// request of a year waits for the protection.
    /// </summary>
    private async Task<Family> FamilyAsync(TableSpec spec, int year, CancellationToken cancellationToken)
    {
        if (options.RefreshInterval <= TimeSpan.Zero)
        {
            return await ComputeAsync(spec, year);
        }

        var key = (spec.Name, year);
        var entry = _families.GetOrAdd(key, _ => new Entry(ComputeAsync(spec, year)));
        Family family;
        try
        {
            family = await entry.Current.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _families.TryRemove(new KeyValuePair<(string, int), Entry>(key, entry));
            throw;
        }

        if (time.GetUtcNow() - family.At >= options.RefreshInterval && Interlocked.Exchange(ref entry.Refreshing, 1) == 0)
        {
            _ = RefreshAsync(key, entry, spec, year);
        }

        return family;
    }

    private async Task RefreshAsync((string, int) key, Entry entry, TableSpec spec, int year)
    {
        try
        {
            var next = await ComputeAsync(spec, year);
            _families.TryUpdate(key, new Entry(Task.FromResult(next)), entry);
        }
        catch (Exception ex)
        {
            // The one being served stays; the next request after the interval tries again.
            logger.LogWarning(ex, "The dashboard table {Table} of {Year} could not be refreshed", spec.Name, year);
            Interlocked.Exchange(ref entry.Refreshing, 0);
        }
    }

    private sealed class Entry(Task<Family> current)
    {
        public Task<Family> Current { get; } = current;

        public int Refreshing;
    }

    private async Task<Family> ComputeAsync(TableSpec spec, int year)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        var data = await spec.Load(db, year, CancellationToken.None);
        var read = time.GetElapsedTime(started);
        List<IReadOnlyList<string>> axes = [];
        if (spec.Scope == CountryScope.Identification)
        {
            axes.Add([.. data.Leaves.Select(l => l.Filters[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).DefaultIfEmpty("none")]);
        }

        if (spec.FormAxis)
        {
            // Only the forms the year holds: an axis value with no case would be all zeros and cost search time.
            axes.Add([.. data.Leaves.Select(l => l.Filters[^1]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).DefaultIfEmpty("none")]);
        }

        var shared = spec.Shared is SharedTotal.None or SharedTotal.Decides ? null : SharedTotals(spec, (await FamilyAsync(DashboardCatalog.Deciding, year, CancellationToken.None)).Cube);
        CubeAnchor? follows = null;
        if (spec.Follows is { } count)
        {
            var other = (await FamilyAsync(DashboardCatalog.Dashboards[count.Dashboard].Single(t => t.Name == count.Table), year, CancellationToken.None)).Cube;
            follows = (period, filters, row, column) => count.Map(other, period, filters, row, column);
        }

        CubeAnchor? anchor = shared is null ? follows : follows is null ? shared : (period, filters, row, column) => shared(period, filters, row, column) ?? follows(period, filters, row, column);

        // Protection is CPU-bound (a search over the year's tables): off the request's thread pool turn.
        started = time.GetTimestamp();
        var cube = await Task.Run(() => ProtectedCube.Protect(year, axes, data.Rows, data.Columns, data.Leaves, options.Threshold, anchor));

        // What a refresh costs, split where it can be fixed: the read model's grouping, or the protection's search.
        logger.LogInformation(
            "Dashboard table {Table} of {Year}: {Leaves} leaf counts read in {ReadMs:0} ms, protected in {ProtectMs:0} ms",
            spec.Name, year, data.Leaves.Count, read.TotalMilliseconds, time.GetElapsedTime(started).TotalMilliseconds);
        return new Family(cube, data, at);
    }

    /// <summary>
    /// The cells of the table that count the referrals identified (in a period, a country, a main form), mapped to the
    /// cells of the deciding table that count them: its grand total and its rows' totals.
    /// </summary>
    private static CubeAnchor SharedTotals(TableSpec spec, ProtectedCube deciding)
    {
        var hasCountry = spec.Scope == CountryScope.Identification;
        Cell? Referrals(Period period, string? country, string? form)
        {
            if ((form is not null && !deciding.Knows(0, form)) || (country is not null && !deciding.RowKeys.Contains(country, StringComparer.Ordinal)))
            {
                return null;
            }

            var table = deciding.Table(period, [form]);
            return country is null ? table.GrandTotal : table.RowTotal(country);
        }

        return (period, filters, row, column) =>
        {
            var country = hasCountry ? filters[0] : null;
            var form = spec.FormAxis ? filters[^1] : null;
            return spec.Shared switch
            {
                SharedTotal.GrandTotal when row is null && column is null => Referrals(period, country, form),
                SharedTotal.EveryRow when row is not null && column is null => Referrals(period, country, null),
                SharedTotal.IdentifiedRow when row == "identified" => Referrals(period, country, null),
                _ => null,
            };
        };
    }

    private (CountTable? Table, string?[] Filters) Cut(TableSpec spec, Family family, Period period, DashboardQuery query)
    {
        List<string?> filters = [];
        if (spec.Scope == CountryScope.Identification)
        {
            if (query.Country is { } country && !family.Cube.Knows(0, country))
            {
                // No referral identified in that country this year: every count is a true zero.
                return (null, []);
            }

            filters.Add(query.Country);
        }

        if (spec.FormAxis)
        {
            var form = query.Exploitation is { } f ? DashboardCatalog.Name(f) : null;
            if (form is not null && !family.Cube.Knows(filters.Count, form))
            {
                return (null, []);
            }

            filters.Add(form);
        }

        return (family.Cube.Table(period, filters), [.. filters]);
    }

    private DashboardTable Table(TableSpec spec, Family family, DashboardQuery query)
    {
        var (table, filters) = Cut(spec, family, query.Period, query);
        var cells = Cells(spec, family.Cube, table, query.Country).ToList();
        // A country no row or column holds leaves no cells, and is not kept: callers choose the country.
        IReadOnlyList<DashboardStatistic> statistics = table is null || cells.Count == 0 ? [] : family.Statistics.GetOrAdd(
            $"{query.Period}|{string.Join(',', filters)}|{query.Country}",
            _ => [.. Statistics(spec, family, table, filters, query, cells)]);
        return new DashboardTable(spec.Name, spec.Rows, spec.Columns, cells, statistics);
    }

    /// <summary>The cells the caller may see: all, the table of its country, or its country's row and column.</summary>
    private static IEnumerable<DashboardCell> Cells(TableSpec spec, ProtectedCube cube, CountTable? table, string? country)
    {
        if (table is null)
        {
            foreach (var row in cube.RowKeys.Append(DashboardCatalog.Total))
            {
                foreach (var column in cube.ColumnKeys.Append(DashboardCatalog.Total))
                {
                    yield return new DashboardCell(row, column, 0, "0");
                }
            }

            yield break;
        }

        foreach (var (row, column, cell) in table.AllCells())
        {
            var r = row ?? DashboardCatalog.Total;
            var c = column ?? DashboardCatalog.Total;
            if (spec.Scope == CountryScope.RowsAndColumns && country is not null && r != country && c != country)
            {
                continue;
            }

            yield return new DashboardCell(r, c, cell.Count, cell.Display);
        }
    }

    private IEnumerable<DashboardStatistic> Statistics(TableSpec spec, Family family, CountTable table, string?[] filters, DashboardQuery query, List<DashboardCell> cells)
    {
        var threshold = options.Threshold;
        switch (spec.Name)
        {
            case "furthest-stage":
                // Reached a stage = furthest stage at or beyond it; a sum of published counts only.
                for (var i = 0; i < table.RowKeys.Count; i++)
                {
                    var parts = table.RowTotals.Skip(i).ToList();
                    yield return new DashboardStatistic("reached", table.RowKeys[i], DashboardCatalog.Total,
                        parts.All(p => p.Count is not null) ? parts.Sum(p => p.Count!.Value) : null);
                }

                break;
            case "returns":
                // One pass over the distribution: (corridor) → days → how many, then the statistics from the counts.
                var byCell = Distribution(family, query.Period, filters, l => (l.Row, l.Column));
                foreach (var cell in cells.Where(c => c.Row != DashboardCatalog.Total && c.Column != DashboardCatalog.Total))
                {
                    var values = byCell.GetValueOrDefault((cell.Row, cell.Column)) ?? [];
                    var published = cell.Count is not null && values.Sum(v => v.Count) >= threshold;
                    yield return new DashboardStatistic("median-days", cell.Row, cell.Column, published ? Quantile(values, 0.5) : null);
                    yield return new DashboardStatistic("p90-days", cell.Row, cell.Column, published ? Quantile(values, 0.9) : null);
                }

                break;
            case "by-kind-and-status":
                foreach (var kind in table.RowKeys)
                {
                    var answered = new[] { table[kind, "accepted"], table[kind, "declined"] };
                    var values = Distribution(family, query.Period, filters, l => l.Row).GetValueOrDefault(kind) ?? [];
                    var published = answered.All(a => a.Count is not null) && values.Sum(v => v.Count) >= threshold;
                    yield return new DashboardStatistic("median-hours-to-answer", kind, DashboardCatalog.Total, published ? Quantile(values, 0.5) : null);
                }

                break;
            case "indicators":
            case "forms":
                var yes = spec.Name == "indicators" ? "shown" : "recorded";
                foreach (var row in table.RowKeys)
                {
                    var part = table[row, yes];
                    var whole = table.RowTotal(row);
                    yield return new DashboardStatistic($"percent-{yes}", row, yes, SuppressedRatio.Percent(part, whole) is { } p ? Math.Round(p, 1) : null);
                }

                break;
        }
    }

    /// <summary>The values behind a statistic, per group: value → how many, in the period and filters asked for.</summary>
    private static Dictionary<TKey, List<(int Value, int Count)>> Distribution<TKey>(Family family, Period period, string?[] filters, Func<CubeLeaf, TKey> group)
        where TKey : notnull
    {
        var months = period.Months.Select(m => m.Number).ToHashSet();
        var groups = new Dictionary<TKey, List<(int Value, int Count)>>();
        foreach (var (leaf, value) in family.Data.Values)
        {
            if (months.Contains(leaf.Month) && Matches(leaf, filters))
            {
                var key = group(leaf);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add((value, leaf.Count));
            }
        }

        return groups;
    }

    private static bool Matches(CubeLeaf leaf, string?[] filters)
    {
        for (var i = 0; i < filters.Length; i++)
        {
            if (filters[i] is { } f && f != leaf.Filters[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A quantile of counted values: the median as SuppressedRatio.Median takes it (the mean of the two middle values of
    /// an even group), other quantiles by nearest rank. Only called for a group that is published and at least the threshold.
    /// </summary>
    private static double Quantile(List<(int Value, int Count)> values, double q)
    {
        var sorted = values.OrderBy(v => v.Value).ToList();
        var n = sorted.Sum(v => v.Count);
        double At(int rank)
        {
            foreach (var (value, count) in sorted)
            {
                if ((rank -= count) < 0)
                {
                    return value;
                }
            }

            return sorted[^1].Value;
        }

        return q == 0.5 && n % 2 == 0 ? (At((n / 2) - 1) + At(n / 2)) / 2 : q == 0.5 ? At(n / 2) : At(Math.Max(0, (int)Math.Ceiling(q * n) - 1));
    }

    /// <summary>Measures per month of the period and for the period as a whole, all cut from one family.</summary>
    private DashboardTable Trends(TableSpec spec, Family family, DashboardQuery query)
    {
        var cells = new List<DashboardCell>();
        foreach (var period in query.Period.Months.Append(query.Period).Distinct())
        {
            var (table, _) = Cut(spec, family, period, query);
            var column = period == query.Period ? DashboardCatalog.Total : period.ToString();
            for (var r = 0; r < family.Cube.RowKeys.Count; r++)
            {
                var cell = table?.Cells[r][0] ?? Cell.Published(0);
                cells.Add(new DashboardCell(family.Cube.RowKeys[r], column, cell.Count, cell.Display));
            }
        }

        return new DashboardTable(spec.Name, spec.Rows, spec.Columns, cells, []);
    }

    /// <summary>How long a waiting referral has been in its stage now, in days: the bands of <c>waiting-now</c>'s columns.</summary>
    public static readonly IReadOnlyList<(string Key, int From)> WaitingBands = [("0-2-days", 0), ("3-6-days", 3), ("7-13-days", 7), ("14-29-days", 14), ("30-days-or-more", 30)];

    /// <summary>
    /// The queues that hold people longest, now: the open referrals identified in the country (or everywhere) by the stage
    /// they are in and how many days they have been in it, protected as one table like <c>overdue-now</c>. Like that
    /// one it is of this moment, not of the period asked for.
    /// </summary>
    private async Task<DashboardTable> WaitingAsync(string? country, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var now = time.GetUtcNow();
        var open = db.DashboardCases.AsNoTracking().Where(c => c.ClosedMonth == null && c.StageSinceDay != null);
        if (country is not null)
        {
            open = open.Where(c => c.IdentifiedIn == country);
        }

        // Grouped by the day the stage began (a handful of rows a day), banded here: the bands depend on today.
        var since = await open
            .GroupBy(c => new { c.CurrentStage, Day = c.StageSinceDay!.Value })
            .Select(g => new { g.Key.CurrentStage, g.Key.Day, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var stages = DashboardCatalog.FunnelStages;
        var rows = stages.Select((stage, index) => (stage, index)).ToDictionary(s => s.stage, s => s.index, StringComparer.Ordinal);
        var counts = new int[stages.Count, WaitingBands.Count];
        foreach (var group in since)
        {
            if (!rows.TryGetValue(DashboardCatalog.Name(group.CurrentStage), out var row))
            {
                continue;
            }

            var days = (int)(now.UtcDateTime.Date - DashboardCase.DateOf(group.Day)).TotalDays;
            var band = WaitingBands.Count - 1;
            while (band > 0 && days < WaitingBands[band].From)
            {
                band--;
            }

            counts[row, band] += group.Count;
        }

        return Snapshot(
            new TableSpec("waiting-now", "stage the referral is in", "days in that stage", CountryScope.Identification, false, NotOfThePeriod),
            new CountMatrix(stages, [.. WaitingBands.Select(b => b.Key)], counts),
            country);
    }

    /// <summary>Offers past their deadline and still unanswered now, by country pair: one table of its own, protected alone.</summary>
    private async Task<DashboardTable> OverdueAsync(string? country, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var now = time.GetUtcNow();
        var pairs = await db.DashboardHandoffs.AsNoTracking()
            .Where(h => h.Offered && h.Status == HandoffStatus.Offered && h.RespondBy < now)
            .GroupBy(h => new { h.FromCountry, h.ToCountry })
            .Select(g => new { g.Key.FromCountry, g.Key.ToCountry, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var spec = new TableSpec("overdue-now", "country of the offering organization", "country of the receiving organization", CountryScope.RowsAndColumns, false, NotOfThePeriod);
        var countries = pairs.SelectMany(p => new[] { p.FromCountry, p.ToCountry }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (countries.Count == 0)
        {
            return new DashboardTable(spec.Name, spec.Rows, spec.Columns, [new DashboardCell(DashboardCatalog.Total, DashboardCatalog.Total, 0, "0")], []);
        }

        var counts = new int[countries.Count, countries.Count];
        foreach (var p in pairs)
        {
            counts[countries.IndexOf(p.FromCountry), countries.IndexOf(p.ToCountry)] += p.Count;
        }

        return Snapshot(spec, new CountMatrix(countries, countries, counts), country);
    }

    /// <summary>The tables of this moment are computed per request, not read per period: their spec has no query of its own.</summary>
    private static Task<TableData> NotOfThePeriod(PlatformDbContext db, int year, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("A table of this moment is not read per period.");

    /// <summary>A table of this moment, protected alone by the small-cell rules.</summary>
    private DashboardTable Snapshot(TableSpec spec, CountMatrix counts, string? country) =>
        new(spec.Name, spec.Rows, spec.Columns, [.. Cells(spec, null!, SmallCellProtection.Protect(counts, options.Threshold), country)], []);
}
