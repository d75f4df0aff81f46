using Microsoft.EntityFrameworkCore;
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

    /// <summary>Writes <paramref name="count"/> synthetic referrals into the dashboards' tables in batches.</summary>
    public static async Task SeedAsync(IServiceProvider services, int count, TextWriter output, int seed = 1, CancellationToken cancellationToken = default)
    {
        const int Batch = 5000;
        var written = 0;
        foreach (var chunk in Generate(count, seed).Chunk(Batch))
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            foreach (var history in chunk)
            {
                var (row, handoffs) = Fold(history);
                db.DashboardCases.Add(row);
                db.DashboardHandoffs.AddRange(handoffs);
            }

            await db.SaveChangesAsync(cancellationToken);
            written += chunk.Length;
            await output.WriteLineAsync($"ReferralNetwork: {written} of {count} synthetic referrals written.");
        }

        services.GetRequiredService<DashboardService>().Invalidate();
    }
}
