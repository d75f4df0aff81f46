using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Dashboards;

/// <summary>
/// A focal point's own figures per day (<c>GET /api/v1/dashboard/surge/days</c>), on a platform of its own: the people it
/// makes today would otherwise count in the exports and protected tables the dashboards' shared platform checks.
/// </summary>
public sealed class SurgeDaysTests
{
    [Fact]
    public async Task A_focal_point_sees_its_own_people_per_day_and_no_one_else_does()
    {
        using var data = new TempFolder();
        await using var factory = new PlatformFactory(data.Path) { Settings = new Dictionary<string, string> { ["Dashboards:RefreshInterval"] = "00:00:00" } };
        using var vietnam = await factory.ClientForAsync("vn-focal-point");
        using var shelter = await factory.ClientForAsync("vn-shelter-hanoi");
        using var secretariat = await factory.ClientForAsync("regional-secretariat");
        // Each step's total over the days: what a referral made a few minutes ago counts in, whichever side of midnight.
        static int Total(SurgeDaysView view, string step) => view.Table.Cells.Single(c => c.Row == step && c.Column == DashboardCatalog.Total).Count!.Value;
        var before = await PartnerApi.ReadAsync<SurgeDaysView>(await vietnam.GetAsync("/api/v1/dashboard/surge/days"));
        List<string> days = [.. before.Table.Cells.Select(c => c.Column).Distinct().Where(c => c != DashboardCatalog.Total)];
        Assert.Equal((14, before.From, before.To), (days.Count, days[0], days[^1]));
        Assert.Equal(13, DateOnly.Parse(before.To, System.Globalization.CultureInfo.InvariantCulture).DayNumber - DateOnly.Parse(before.From, System.Globalization.CultureInfo.InvariantCulture).DayNumber);

        // Three identified today by the focal point, two of them screened as presumed victims; one by a shelter that never
        // shares it with the focal point, which is not the focal point's to count.
        List<ReferralView> own = [];
        for (var i = 0; i < 3; i++)
        {
            own.Add(await ReferralRequests.CreateAsync(vietnam, ReferralRequests.VietnameseWoman("VN") with { IdentifiedAt = DateTimeOffset.UtcNow.AddMinutes(-5) }));
        }

        foreach (var referral in own.Take(2))
        {
            using var screened = await PartnerApi.PostAsync(vietnam, $"/api/v1/referrals/{referral.Id}/screening",
                new ScreeningRequest(["recruited-online-job-offer", "confined-under-guard", "forced-to-defraud-others"]), referral.Version);
            Assert.True(screened.IsSuccessStatusCode, await screened.Content.ReadAsStringAsync());
        }

        var shelters = await ReferralRequests.CreateAsync(shelter, ReferralRequests.VietnameseWoman("VN") with { IdentifiedAt = DateTimeOffset.UtcNow.AddMinutes(-5) });
        await Eventually.Until(async () =>
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().DashboardCases.AnyAsync(c => c.ReferralId == shelters.Id);
        }, found => found);

        var after = await Eventually.Until(
            async () => await PartnerApi.ReadAsync<SurgeDaysView>(await vietnam.GetAsync("/api/v1/dashboard/surge/days")),
            v => Total(v, "presumed-victim") == Total(before, "presumed-victim") + 2);
        Assert.Equal(Total(before, "identified") + 3, Total(after, "identified"));
        Assert.Equal(Total(before, "screened") + 2, Total(after, "screened"));
        Assert.Equal(Total(before, "custody-offered"), Total(after, "custody-offered"));
        var week = await PartnerApi.ReadAsync<SurgeDaysView>(await vietnam.GetAsync("/api/v1/dashboard/surge/days?days=7&nationality=vn"));
        Assert.Equal(("VN", 7), (week.Nationality, week.Table.Cells.Select(c => c.Column).Distinct().Count(c => c != DashboardCatalog.Total)));
        Assert.True(Total(week, "identified") >= 3, $"{Total(week, "identified")} Vietnamese identified in a week");
        var cambodians = await PartnerApi.ReadAsync<SurgeDaysView>(await vietnam.GetAsync("/api/v1/dashboard/surge/days?nationality=KH"));
        Assert.Equal(0, Total(cambodians, "identified"));

        // Exact daily counts are the focal point's own: the secretariat (which reads no referral) keeps to whole months,
        // and the bounds are checked.
        await Problem.AssertAsync(await secretariat.GetAsync("/api/v1/dashboard/surge/days"), HttpStatusCode.Forbidden, "forbidden");
        using var tooMany = await vietnam.GetAsync("/api/v1/dashboard/surge/days?days=32");
        Assert.Contains("days", Problem.ErrorFields(await Problem.AssertAsync(tooMany, HttpStatusCode.BadRequest, "validation")));
        using var badNationality = await vietnam.GetAsync("/api/v1/dashboard/surge/days?nationality=Vietnam");
        Assert.Contains("nationality", Problem.ErrorFields(await Problem.AssertAsync(badNationality, HttpStatusCode.BadRequest, "validation")));
    }
}
