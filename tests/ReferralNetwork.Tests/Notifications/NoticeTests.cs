using System.Globalization;
using System.Net.Http.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
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
}
