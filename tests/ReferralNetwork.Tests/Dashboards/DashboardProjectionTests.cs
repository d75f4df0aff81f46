using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>The bus delivers at least once and in any order: the dashboards' facts count every event once.</summary>
public sealed class DashboardProjectionTests
{
    [Fact]
    public async Task The_same_event_twice_counts_once_and_an_event_ahead_of_its_referral_waits_for_it()
    {
        using var data = new TempFolder();
        var platformDb = $"Data Source={Path.Combine(data.Path, "platform.db")}";
        await using var services = new ServiceCollection()
            .AddProjectionHarness(platformDb)
            .AddReferralProjection<DashboardProjection>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            await db.Database.MigrateAsync(cancellation);
            db.Countries.AddRange(new Country { Code = "TH", Name = "Thailand" }, new Country { Code = "VN", Name = "Viet Nam" });
            db.Organizations.AddRange(
                new Organization { Id = "th-focal-point", Name = "TH", Country = "TH", Kind = OrganizationKind.FocalPoint },
                new Organization { Id = "vn-focal-point", Name = "VN", Country = "VN", Kind = OrganizationKind.FocalPoint });
            await db.SaveChangesAsync(cancellation);
        }

        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var referral = Guid.NewGuid();
        var handoff = Guid.NewGuid();
        var identifiedAt = new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero);
        List<string> countries = ["TH", "VN"];
        var identified = Identified(referral, identifiedAt);
        var screened = Screened(referral, identifiedAt.AddDays(1), ["recruited-online-job-offer"]);
        var offered = new HandoffOffered(referral, 3, identifiedAt.AddDays(2), "th-focal-point", countries, Stage.RepatriationRequested, "th-focal-point",
            handoff, HandoffKind.Custody, "th-focal-point", "vn-focal-point", [], identifiedAt.AddDays(16), true, ScreeningOutcome.PresumedVictim, false);
        var accepted = new HandoffAccepted(referral, 4, identifiedAt.AddDays(3), "vn-focal-point", countries, Stage.RepatriationRequested, "th-focal-point",
            handoff, HandoffKind.Custody, "th-focal-point", "vn-focal-point", ["th-focal-point"]);

        // The acceptance overtakes its offer, the screening overtakes the referral, and everything comes twice.
        await harness.Bus.Publish(accepted, cancellation);
        await harness.Bus.Publish(screened, cancellation);
        await harness.Bus.Publish(identified, cancellation);
        await harness.Bus.Publish(identified, cancellation);
        await harness.Bus.Publish(screened, cancellation);
        await harness.Bus.Publish(offered, cancellation);
        await harness.Bus.Publish(accepted, cancellation);

        async Task<(List<DashboardCase> Cases, List<DashboardHandoff> Handoffs, int Markers)> ReadAsync()
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            return (await db.DashboardCases.ToListAsync(cancellation), await db.DashboardHandoffs.ToListAsync(cancellation),
                await db.Set<ProcessedEvent>().CountAsync(p => p.Projection == DashboardProjection.ProjectionName, cancellation));
        }

        var (cases, handoffs, markers) = await Eventually.Until(ReadAsync, r => r.Markers >= 4 && r.Handoffs is [{ Offered: true, Status: HandoffStatus.Accepted }]);
        Assert.Equal(4, markers);
        var row = Assert.Single(cases);
        Assert.Equal((202503, "TH", "VN", ScreeningOutcome.PresumedVictim, Stage.RepatriationRequested),
            (row.IdentifiedMonth, row.IdentifiedIn, row.Nationality, row.Outcome, row.FurthestStage));
        Assert.Equal("recruited-online-job-offer", row.Indicators);

        // The surge's facts: each step's first day, and the stage the referral is in now (the newest event's). When it
        // began depends on which of offer and acceptance was applied first (the acceptance was retried): a day of that stage.
        Assert.Equal((20250310, 20250311, 20250311, 20250312, (int?)null), (row.IdentifiedDay, row.ScreenedDay, row.PresumedVictimDay, row.CustodyOfferedDay, row.VerifiedDay));
        Assert.Equal((Stage.RepatriationRequested, 4), (row.CurrentStage, row.StageVersion));
        Assert.Contains(row.StageSinceDay, new int?[] { 20250312, 20250313 });
        var h = Assert.Single(handoffs);
        Assert.Equal(("TH", "VN", HandoffStatus.Accepted, 24), (h.FromCountry, h.ToCountry, h.Status, h.HoursToAnswer));
        Assert.True(harness.Consumed.Select<ReferralIdentified>().Count() >= 2);
    }

    [Fact]
    public async Task A_referral_identified_before_the_dashboards_existed_is_passed_over_and_holds_up_no_other_read_model()
    {
        using var data = new TempFolder();
        await using var services = new ServiceCollection()
            .AddProjectionHarness($"Data Source={Path.Combine(data.Path, "platform.db")}")
            .AddReferralProjection<ReferralListProjection>()
            .AddReferralProjection<DashboardProjection>()
            .BuildServiceProvider(true);
        var cancellation = TestContext.Current.CancellationToken;
        var referral = Guid.NewGuid();
        var at = new DateTimeOffset(2025, 3, 10, 8, 0, 0, TimeSpan.Zero);
        var identified = Identified(referral, at);
        await using (var scope = services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Database.MigrateAsync(cancellation);
            // Identified while only the referral list existed.
            await ActivatorUtilities.CreateInstance<ReferralProjections>(scope.ServiceProvider).ApplyAsync(identified, "referral-list", cancellation);
        }

        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        await harness.Bus.Publish(Screened(referral, at.AddDays(1), []), cancellation);

        async Task<(Stage? Listed, int Cases, List<string> Markers)> ReadAsync()
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            return ((await db.Referrals.SingleAsync(r => r.Id == referral, cancellation)).Stage, await db.DashboardCases.CountAsync(cancellation),
                await db.Set<ProcessedEvent>().Where(p => p.Number == 2).Select(p => p.Projection).ToListAsync(cancellation));
        }

        var (listed, cases, markers) = await Eventually.Until(ReadAsync, r => r.Listed == Stage.Screened);
        Assert.Equal(0, cases);
        Assert.Equal(["dashboards", "referral-list"], markers.Order());
    }

    private static ReferralIdentified Identified(Guid referral, DateTimeOffset at) => new(
        referral, 1, at, "th-focal-point", ["TH", "VN"], Stage.Identified, "th-focal-point",
        "TH", "VN", Sex.Female, AgeBand.From18To24, [ExploitationForm.ForcedCriminality], at);

    private static ReferralScreened Screened(Guid referral, DateTimeOffset at, List<string> indicators) => new(
        referral, 2, at, "th-focal-point", ["TH", "VN"], Stage.Screened, "th-focal-point",
        ScreeningOutcome.PresumedVictim, true, true, true, false, indicators, true);
}
