using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using ReferralNetwork.Contracts;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards;

/// <summary>
/// DEVELOPMENT ONLY: synthetic referrals as event histories with the Mekong pattern: most identified in scam compounds
/// in Cambodia, Myanmar and Laos, most of them Vietnamese, Thai and Chinese nationals, forced criminality the commonest
/// form. Nobody real: countries, bands and codes only. <c>seed-synthetic N</c> folds them through the projection's own
/// fold into the dashboards' tables.
/// </summary>
public static class SyntheticReferrals
{
    private static readonly (string Country, double Weight)[] IdentifiedIn = [("KH", 0.34), ("MM", 0.28), ("LA", 0.14), ("TH", 0.18), ("VN", 0.06)];
    private static readonly (string Country, double Weight)[] Nationality = [("VN", 0.32), ("TH", 0.18), ("CN", 0.24), ("ID", 0.08), ("KH", 0.06), ("LA", 0.05), ("MM", 0.07)];
    private static readonly (ExploitationForm Form, double Weight)[] Forms =
        [(ExploitationForm.ForcedCriminality, 0.68), (ExploitationForm.ForcedLabour, 0.12), (ExploitationForm.SexualExploitation, 0.10), (ExploitationForm.ForcedMarriage, 0.04), (ExploitationForm.DomesticServitude, 0.03), (ExploitationForm.Other, 0.03)];
    private static readonly (AgeBand Band, double Weight)[] Ages =
        [(AgeBand.From18To24, 0.34), (AgeBand.From25To34, 0.38), (AgeBand.From35To49, 0.16), (AgeBand.From12To17, 0.06), (AgeBand.Under12, 0.01), (AgeBand.From50, 0.03), (AgeBand.Unknown, 0.02)];
    private static readonly (Sex Sex, double Weight)[] Sexes = [(Sex.Male, 0.6), (Sex.Female, 0.38), (Sex.Other, 0.01), (Sex.Unknown, 0.01)];

    /// <summary><paramref name="count"/> referrals' histories, identified from <paramref name="firstYear"/> over <paramref name="years"/> years.</summary>
    public static IEnumerable<IReadOnlyList<IReferralEvent>> Generate(int count, int seed, int firstYear = 2024, int years = 3)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(firstYear, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var span = new DateTimeOffset(firstYear + years, 1, 1, 0, 0, 0, TimeSpan.Zero) - start;
        for (var i = 0; i < count; i++)
        {
            yield return One(random, start + (span * random.NextDouble()));
        }
    }

    private static IReadOnlyList<IReferralEvent> One(Random random, DateTimeOffset identifiedAt)
    {
        var id = RandomGuid(random);
        var identifiedIn = Pick(random, IdentifiedIn);
        var nationality = Pick(random, Nationality.Where(n => n.Country != identifiedIn).ToArray());
        var here = $"{identifiedIn.ToLowerInvariant()}-focal-point";
        var home = $"{nationality.ToLowerInvariant()}-focal-point";
        List<string> countries = [identifiedIn, nationality];
        var events = new List<IReferralEvent>();
        var at = identifiedAt;
        var holder = here;
        int Next() => events.Count + 1;
        DateTimeOffset Later(double minDays, double maxDays) => at = at.AddDays(minDays + (random.NextDouble() * (maxDays - minDays)));

        var forms = new List<ExploitationForm> { Pick(random, Forms) };
        if (random.NextDouble() < 0.15)
        {
            forms.Add(Pick(random, Forms.Where(f => f.Form != forms[0]).ToArray()));
        }

        var age = Pick(random, Ages);
        events.Add(new ReferralIdentified(id, 1, at, here, countries, Stage.Identified, holder, identifiedIn, nationality, Pick(random, Sexes), age, forms, identifiedAt));
        if (random.NextDouble() < 0.1)
        {
            return events;
        }

        var presumed = random.NextDouble() < 0.82;
        var indicators = IndicatorCatalog.All.Where(_ => random.NextDouble() < 0.35).Select(c => c.Code).ToList();
        var outcome = presumed ? ScreeningOutcome.PresumedVictim : random.NextDouble() < 0.5 ? ScreeningOutcome.NotAVictim : ScreeningOutcome.Inconclusive;
        events.Add(new ReferralScreened(id, Next(), Later(0, 3), here, countries, Stage.Screened, holder, outcome, true, presumed || random.NextDouble() < 0.5, true,
            age.IsChild(), indicators, presumed));
        if (!presumed)
        {
            if (random.NextDouble() < 0.7)
            {
                events.Add(new ReferralClosed(id, Next(), Later(1, 10), here, countries, Stage.Closed, holder, ClosureReason.NotAVictim, []));
            }

            return events;
        }

        if (random.NextDouble() < 0.6)
        {
            var service = RandomGuid(random);
            events.Add(new HandoffOffered(id, Next(), Later(0, 2), here, countries, events[^1].Stage, holder, service, HandoffKind.Service, here, $"{identifiedIn.ToLowerInvariant()}-shelter",
                [ServiceKind.Shelter], at.AddDays(3), false, outcome, false));
            events.Add(new HandoffAccepted(id, Next(), Later(0, 2), $"{identifiedIn.ToLowerInvariant()}-shelter", countries, Stage.InProtection, holder, service, HandoffKind.Service, here, $"{identifiedIn.ToLowerInvariant()}-shelter", [here]));
        }

        if (random.NextDouble() < 0.25)
        {
            return events;
        }

        var custody = RandomGuid(random);
        events.Add(new HandoffOffered(id, Next(), Later(1, 20), here, countries, Stage.RepatriationRequested, holder, custody, HandoffKind.Custody, here, home,
            [], at.AddDays(14), true, outcome, false));
        var answer = random.NextDouble();
        if (answer < 0.08)
        {
            events.Add(new HandoffExpired(id, Next(), Later(14, 14), home, countries, Stage.InProtection, holder, custody, HandoffKind.Custody, here, home, [here]));
            return events;
        }

        if (answer < 0.15)
        {
            events.Add(new HandoffDeclined(id, Next(), Later(1, 10), home, countries, Stage.InProtection, holder, custody, HandoffKind.Custody, here, home, [here]));
            return events;
        }

        events.Add(new HandoffAccepted(id, Next(), Later(0.2, 10), home, countries, Stage.RepatriationRequested, holder, custody, HandoffKind.Custody, here, home, [here]));
        events.Add(new NationalityVerified(id, Next(), Later(3, 40), home, countries, Stage.NationalityVerified, holder, nationality, [here]));
        if (random.NextDouble() < 0.1)
        {
            return events;
        }

        events.Add(new ReturnPlanned(id, Next(), Later(2, 20), here, countries, Stage.ReturnPlanned, holder, TravelDocument.EmergencyTravelDocument, DateOnly.FromDateTime(at.AddDays(7).UtcDateTime), "crossing", true));
        var handedOver = Later(3, 15);
        events.Add(new ReturnConfirmed(id, Next(), at, here, countries, Stage.ReturnPlanned, holder, ReturnSide.Sending, handedOver, false, []));
        holder = home;
        events.Add(new ReturnConfirmed(id, Next(), Later(0, 1), home, countries, Stage.Returned, holder, ReturnSide.Receiving, handedOver, true, [here]));
        if (random.NextDouble() < 0.7)
        {
            events.Add(new ServiceRecorded(id, Next(), Later(2, 30), home, countries, Stage.Reintegration, holder, ServiceKind.Reintegration, ServiceStatus.Started, []));
            if (random.NextDouble() < 0.6)
            {
                events.Add(new ReferralClosed(id, Next(), Later(30, 200), home, countries, Stage.Closed, holder,
                    random.NextDouble() < 0.85 ? ClosureReason.Reintegrated : ClosureReason.LostContact, []));
            }
        }

        return events;
    }

    private static T Pick<T>(Random random, (T Value, double Weight)[] options)
    {
        var x = random.NextDouble() * options.Sum(o => o.Weight);
        foreach (var (value, weight) in options)
        {
            if ((x -= weight) < 0)
            {
                return value;
            }
        }

        return options[^1].Value;
    }

    private static Guid RandomGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }

    /// <summary>The dashboards' rows of one history, through the projection's fold.</summary>
    public static (DashboardCase Case, List<DashboardHandoff> Handoffs) Fold(IReadOnlyList<IReferralEvent> events)
    {
        var row = DashboardCase.Identify((ReferralIdentified)events[0]);
        var handoffs = new Dictionary<Guid, DashboardHandoff>();
        DashboardHandoff Handoff(Guid id) => handoffs.TryGetValue(id, out var h) ? h : handoffs[id] = new DashboardHandoff { HandoffId = id, Status = HandoffStatus.Offered };
        string CountryOf(string organization) => organization[..2].ToUpperInvariant();
        foreach (var e in events.Skip(1))
        {
            row.Apply(e);
            switch (e)
            {
                case HandoffOffered o: Handoff(o.HandoffId).Offer(o, CountryOf(o.FromOrganizationId), CountryOf(o.ToOrganizationId)); break;
                case HandoffAccepted a: Handoff(a.HandoffId).Resolve(HandoffStatus.Accepted, a.OccurredAt); break;
                case HandoffDeclined d: Handoff(d.HandoffId).Resolve(HandoffStatus.Declined, d.OccurredAt); break;
                case HandoffExpired x: Handoff(x.HandoffId).Resolve(HandoffStatus.Expired, x.OccurredAt); break;
            }
        }

        return (row, [.. handoffs.Values]);
    }

    /// <summary>
    /// Writes <paramref name="count"/> synthetic referrals into the dashboards' tables, a transaction per batch, through
    /// <see cref="BulkRows"/> rather than the change tracker: SaveChanges spent about 0.3 ms a referral (1,000,000 took
    /// 5 minutes on SQLite and about 10 on PostgreSQL here).
    /// </summary>
    public static async Task SeedAsync(IServiceProvider services, int count, TextWriter output, int seed = 1, CancellationToken cancellationToken = default)
    {
        const int Batch = 50_000;
        var written = 0;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            foreach (var chunk in Generate(count, seed).Chunk(Batch))
            {
                List<DashboardCase> cases = new(chunk.Length);
                List<DashboardHandoff> handoffs = new(chunk.Length);
                foreach (var history in chunk)
                {
                    var (row, offers) = Fold(history);
                    cases.Add(row);
                    handoffs.AddRange(offers);
                }

                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await BulkRows.InsertAsync(db, cases, cancellationToken);
                await BulkRows.InsertAsync(db, handoffs, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                written += chunk.Length;
                await output.WriteLineAsync($"ReferralNetwork: {written} of {count} synthetic referrals written.");
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        services.GetRequiredService<DashboardService>().Invalidate();
    }
}

/// <summary>
/// Inserts many rows of one entity type past the change tracker but not past the model: the table, its columns and
/// every value conversion (enums as text, SQLite's instants as integers and identifiers as text, PostgreSQL's UTC)
/// come from EF Core's mapping, so the rows read back as SaveChanges would have written them. PostgreSQL gets a binary
/// COPY; SQLite one prepared insert run per row in the caller's transaction. Development only (the synthetic seed).
/// </summary>
internal static class BulkRows
{
    public static async Task InsertAsync<T>(PlatformDbContext db, IReadOnlyCollection<T> rows, CancellationToken cancellationToken) where T : class
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not part of the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        List<Column> columns = [.. entity.GetProperties().Select(p => new Column(p.GetColumnName(table)!, p.GetRelationalTypeMapping(), p.GetGetter()))];
        var names = string.Join(", ", columns.Select(c => Quote(c.Name)));
        var connection = db.Database.GetDbConnection();
        if (connection is NpgsqlConnection npgsql)
        {
            await using var copy = await npgsql.BeginBinaryImportAsync($"COPY {Quote(table.Name)} ({names}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var row in rows)
            {
                await copy.StartRowAsync(cancellationToken);
                foreach (var column in columns)
                {
                    if (column.ProviderValue(row) is { } value)
                    {
                        await copy.WriteAsync(value, column.Mapping.StoreTypeNameBase, cancellationToken);
                    }
                    else
                    {
                        await copy.WriteNullAsync(cancellationToken);
                    }
                }
            }

            await copy.CompleteAsync(cancellationToken);
            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"INSERT INTO {Quote(table.Name)} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";

        // Each parameter as EF Core configures it for its column.
        var parameters = columns.Select((c, i) => c.Mapping.CreateParameter(command, $"@p{i}", null, nullable: true)).ToArray();
        command.Parameters.AddRange(parameters);
        await command.PrepareAsync(cancellationToken);
        foreach (var row in rows)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                parameters[i].Value = columns[i].ProviderValue(row) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static string Quote(string name) => $"\"{name}\"";

    private sealed record Column(string Name, RelationalTypeMapping Mapping, IClrPropertyGetter Getter)
    {
        public object? ProviderValue(object row) =>
            Getter.GetClrValueUsingContainingEntity(row) is { } value ? Mapping.Converter?.ConvertToProvider(value) ?? value : null;
    }
}
