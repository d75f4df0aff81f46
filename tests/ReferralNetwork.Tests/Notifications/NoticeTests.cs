using System.Globalization;
using System.Net.Http.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ReferralNetwork.Notifications;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Notifications;

/// <summary>E-mail notices, where SMTP is configured: the target's people hear of an offer, in their language, with a link to it and nothing of the person.</summary>
public sealed class NoticeTests
{
    [Fact]
    public async Task An_offer_is_e_mailed_to_the_case_workers_of_the_target_with_a_link_and_no_personal_data()
    {
        await using var sink = new SmtpSink();
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture), ["Smtp:EnableSsl"] = "false",
            },
        };
        var given = $"Noticegiven{Guid.NewGuid():N}";
        using var thailand = await platform.ClientForAsync("th-focal-point");
        var request = ReferralRequests.VietnameseWoman() with { Subject = ReferralRequests.VietnameseWoman().Subject! with { GivenName = given } };
        var referral = await ReferralRequests.CreateAsync(thailand, request);
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Written));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thailand, $"/api/v1/referrals/{referral.Id}/handoffs",
            new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, null, null)));

        var mails = new[] { await sink.NextAsync(TimeSpan.FromSeconds(30)), await sink.NextAsync(TimeSpan.FromSeconds(30)) };

        // Viet Nam's officer and supervisor do its case work; its admin alone does not, and Thailand hears nothing.
        Assert.Equal(["officer@vn-focal-point", "supervisor@vn-focal-point"], mails.SelectMany(m => m.To).Order(StringComparer.Ordinal));
        Assert.All(mails, mail =>
        {
            Assert.StartsWith("Mekong Referral Network: an offer waits", mail.Subject, StringComparison.Ordinal);
            Assert.Contains($"{PlatformFactory.Issuer}console/offers/{offer.Id}", mail.Body, StringComparison.Ordinal);
            Assert.Contains("Thailand national focal point (MSDHS)", mail.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(given, mail.Raw, StringComparison.Ordinal);
            Assert.DoesNotContain(ReferralRequests.FamilyName, mail.Body, StringComparison.Ordinal);
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.NextAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_return_planned_by_the_holders_focal_point_is_e_mailed_to_the_embassy_that_accepted_it()
    {
        await using var sink = new SmtpSink();
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture), ["Smtp:EnableSsl"] = "false",
            },
        };
        using var thailand = await platform.ClientForAsync("th-focal-point");
        using var embassy = await platform.ClientForAsync("th-embassy-cn");
        var request = ReferralRequests.VietnameseWoman() with { Subject = ReferralRequests.VietnameseWoman().Subject! with { Nationality = "CN" } };
        var referral = await ReferralRequests.CreateAsync(thailand, request);
        var path = $"/api/v1/referrals/{referral.Id}";
        await PartnerApi.ChangeAsync(thailand, $"{path}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(thailand, $"{path}/consents", new ConsentRequest(ConsentPurpose.Share, "th-embassy-cn", true, ConsentMethod.Written));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thailand, $"{path}/handoffs",
            new HandoffRequest("th-embassy-cn", HandoffKind.Custody, null, null, null, null)));
        var offered = await sink.NextAsync(TimeSpan.FromSeconds(30));
        await PartnerApi.ChangeAsync(embassy, $"{path}/handoffs/{offer.Id}/accept", null);
        await PartnerApi.ChangeAsync(embassy, $"{path}/nationality-verification", new NationalityVerificationRequest(NationalityOutcome.Confirmed, null));
        await PartnerApi.ChangeAsync(thailand, $"{path}/return-plan", new ReturnPlanRequest(TravelDocument.EmergencyTravelDocument, new DateOnly(2026, 12, 9), "Suvarnabhumi airport", null));

        var planned = await sink.NextAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["officer@th-embassy-cn"], offered.To);
        Assert.Equal(["officer@th-embassy-cn"], planned.To);
        Assert.StartsWith("Mekong Referral Network: a return is planned", planned.Subject, StringComparison.Ordinal);
        Assert.Contains($"{PlatformFactory.Issuer}console/referrals/{referral.Id}", planned.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_offer_coming_due_is_e_mailed_to_its_target_once_whichever_silo_looks()
    {
        await using var sink = new SmtpSink();
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture), ["Smtp:EnableSsl"] = "false",
            },
        };
        using var thailand = await platform.ClientForAsync("th-focal-point");
        var referral = await ReferralRequests.CreateAsync(thailand);
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Return, null, true, ConsentMethod.Written));
        await PartnerApi.ChangeAsync(thailand, $"/api/v1/referrals/{referral.Id}/consents", new ConsentRequest(ConsentPurpose.Share, "vn-focal-point", true, ConsentMethod.Written));
        var offer = await PartnerApi.ReadAsync<HandoffView>(await PartnerApi.PostAsync(thailand, $"/api/v1/referrals/{referral.Id}/handoffs",
            new HandoffRequest("vn-focal-point", HandoffKind.Custody, null, null, DateTimeOffset.UtcNow.AddHours(2), null)));
        using var vietnam = await platform.ClientForAsync("vn-focal-point");
        await Eventually.Until(() => PartnerApi.InboxAsync(vietnam), inbox => inbox.Any(i => i.HandoffId == offer.Id));
        await sink.NextAsync(TimeSpan.FromSeconds(30)); // the two notices of the offer itself
        await sink.NextAsync(TimeSpan.FromSeconds(30));

        // An hour and a half later, with a window of an hour: due soon. Two silos looking at once send it once.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(90));
        DueSoonNotices Silo() => new(platform.Services.GetRequiredService<IServiceScopeFactory>(), later, new NotificationOptions { DueSoonWindow = TimeSpan.FromHours(1) },
            NullLogger<DueSoonNotices>.Instance);
        await Task.WhenAll(Silo().SendDueAsync(CancellationToken.None), Silo().SendDueAsync(CancellationToken.None));
        var mails = new[] { await sink.NextAsync(TimeSpan.FromSeconds(30)), await sink.NextAsync(TimeSpan.FromSeconds(30)) };
        await Silo().SendDueAsync(CancellationToken.None);

        Assert.Equal(["officer@vn-focal-point", "supervisor@vn-focal-point"], mails.SelectMany(m => m.To).Order(StringComparer.Ordinal));
        Assert.All(mails, mail => Assert.Contains("is due soon", mail.Subject, StringComparison.Ordinal));
        Assert.All(mails, mail => Assert.Contains($"console/offers/{offer.Id}", mail.Body, StringComparison.Ordinal));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.NextAsync(TimeSpan.FromSeconds(2)));
    }
}
