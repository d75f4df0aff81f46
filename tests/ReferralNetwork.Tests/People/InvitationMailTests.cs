using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Resources;
using System.Text.RegularExpressions;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.People;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.People;

/// <summary>With SMTP configured, an invitation goes by e-mail (to a real SMTP conversation, a local sink), in the invited person's language, and the admin is not shown the link.</summary>
public sealed partial class InvitationMailTests
{
    [Fact]
    public async Task An_invitation_is_e_mailed_in_the_persons_language_and_its_link_works()
    {
        await using var sink = new SmtpSink();
        using var data = new TempFolder();
        await using var platform = new PlatformFactory(data.Path)
        {
            Settings = new Dictionary<string, string>
            {
                ["Smtp:Host"] = "127.0.0.1", ["Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture), ["Smtp:EnableSsl"] = "false",
                ["Smtp:From"] = "platform@referral-network.test",
            },
        };
        var email = $"mailed-{Guid.NewGuid():N}@example.org";
        using var admin = platform.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await PersonLogin.AccessTokenAsync(platform, "admin@th-focal-point", DemoPeople.DemoPassword));

        using var invited = await admin.PostAsJsonAsync("/api/v1/people/invitations", new InvitePersonRequest(email, ["officer"], "th"), Json.Options);
        var invitation = (await invited.Content.ReadFromJsonAsync<InvitationView>(Json.Options))!;
        var mail = await sink.NextAsync(TimeSpan.FromSeconds(30));
        var (subject, body) = (mail.Subject, mail.Body);
        var link = LinkPattern().Match(body).Value;
        using var login = await PersonLogin.ForAsync(platform);
        var form = await login.Browser.GetAsync(link);

        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        Assert.True(invitation.SentByEmail);
        Assert.Null(invitation.Link); // the link went to the person only
        Assert.Equal([email], mail.To);
        Assert.Equal(Thai("InvitationSubject"), subject);
        Assert.Contains("Thailand national focal point (MSDHS)", body, StringComparison.Ordinal);
        Assert.StartsWith(PlatformFactory.Issuer + "account/invitation?token=", link, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.Contains("type=\"password\"", form.Html, StringComparison.Ordinal);
    }

    private static string Thai(string key) =>
        new ResourceManager("ReferralNetwork.Console.Resources.People.SignInText", typeof(SignInText).Assembly).GetString(key, CultureInfo.GetCultureInfo("th"))!;

    [GeneratedRegex(@"http://\S+/account/invitation\?token=[A-Za-z0-9_\-%]+")]
    private static partial Regex LinkPattern();
}
