using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Storage;
using ReferralNetwork.Subjects;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Subjects;

/// <summary>
/// Retention per country: Thailand erases the subjects of its closed referrals (here at once, so that the test need
/// not wait years); its open referrals and another country's closed ones keep theirs. An erased subject is gone, its
/// referral, history and dashboard facts stay.
/// </summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly TempFolder _data = new();
    private PlatformFactory _platform = null!;

    public ValueTask InitializeAsync()
    {
        _platform = new PlatformFactory(_data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["Retention:After:TH"] = "00:00:00",
                ["Retention:CheckPeriod"] = "00:00:01",
            },
        };
        _ = _platform.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _platform.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task A_closed_referral_of_a_country_with_retention_loses_its_subject_and_keeps_its_referral_history_and_aggregates()
    {
        using var thailand = await _platform.ClientForAsync("th-focal-point");
        using var vietnam = await _platform.ClientForAsync("vn-focal-point");
        var closed = await CloseAsync(thailand, await ReferralRequests.CreateAsync(thailand));
        var open = await ReferralRequests.CreateAsync(thailand);
        var elsewhere = await CloseAsync(vietnam, await ReferralRequests.CreateAsync(vietnam, ReferralRequests.VietnameseWoman("VN")));

        // The job records an erasure after the subject is gone: the record is what says the round is over.
        var recorded = await Eventually.Until(() => ErasedAsync(closed.Id), e => e, TimeSpan.FromSeconds(60));

        Assert.True(recorded, "retention did not erase the closed Thai referral's subject");
        Assert.Equal(HttpStatusCode.NotFound, await SubjectStatusAsync(thailand, closed.Id));
        Assert.Equal(HttpStatusCode.OK, await SubjectStatusAsync(thailand, open.Id));
        Assert.Equal(HttpStatusCode.OK, await SubjectStatusAsync(vietnam, elsewhere.Id));
        var referral = await PartnerApi.GetReferralAsync(thailand, closed.Id);
        Assert.Equal((Stage.Closed, closed.Version), (referral!.Stage, referral.Version));
        Assert.Equal(closed.Version, (await thailand.GetFromJsonAsync<List<HistoryEntry>>($"/api/v1/referrals/{closed.Id}/history", PlatformFactory.JsonOptions))!.Count);

        // Erasing publishes nothing, so the dashboards' projection (which follows events on its own) still gets to the
        // closing and keeps it: the facts of an erased referral stay in the aggregates.
        var closing = await Eventually.Until(() => ClosedMonthAsync(closed.Id), m => m is not null);
        Assert.NotNull(closing);
        await using var scope = _platform.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        Assert.False(await db.Set<RetentionErasure>().AnyAsync(e => e.ReferralId == open.Id || e.ReferralId == elsewhere.Id));
    }

    private async Task<bool> ErasedAsync(Guid id)
    {
        await using var scope = _platform.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().Set<RetentionErasure>().AnyAsync(e => e.ReferralId == id);
    }

    private async Task<int?> ClosedMonthAsync(Guid id)
    {
        await using var scope = _platform.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        return await db.DashboardCases.Where(c => c.ReferralId == id).Select(c => c.ClosedMonth).FirstOrDefaultAsync();
    }

    private static async Task<ReferralView> CloseAsync(HttpClient holder, ReferralView referral) =>
        await PartnerApi.ChangeAsync(holder, $"/api/v1/referrals/{referral.Id}/close", new CloseRequest(ClosureReason.Duplicate), referral.Version);

    private static async Task<HttpStatusCode> SubjectStatusAsync(HttpClient client, Guid id)
    {
        using var answer = await client.GetAsync($"/api/v1/referrals/{id}/subject?purpose=case-work");
        return answer.StatusCode;
    }
}
