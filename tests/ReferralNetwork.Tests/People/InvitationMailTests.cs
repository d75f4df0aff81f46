using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Resources;
using System.Text;
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
        var (subject, body) = Decode(mail.Raw);
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

    /// <summary>The subject (an RFC 2047 encoded word, or plain) and the body (base64, quoted-printable or plain) of a raw message.</summary>
    private static (string Subject, string Body) Decode(string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = raw[..split].Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);
        var body = raw[(split + 4)..];
        var subjectLine = headers.Split("\r\n").First(h => h.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))[8..].Trim();
        var subject = string.Concat(EncodedWord().Matches(subjectLine).Select(m => m.Groups["enc"].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
            ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups["text"].Value))
            : QuotedPrintable(m.Groups["text"].Value.Replace('_', ' '))));
        if (subject.Length == 0)
        {
            subject = subjectLine;
        }

        var encoding = headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Transfer-Encoding:", StringComparison.OrdinalIgnoreCase))?[26..].Trim().ToLowerInvariant();
        var text = encoding switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "", StringComparison.Ordinal).Trim())),
            "quoted-printable" => QuotedPrintable(body.Replace("=\r\n", "", StringComparison.Ordinal)),
            _ => body,
        };
        return (subject, text);
    }

    private static string QuotedPrintable(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    [GeneratedRegex(@"=\?utf-8\?(?<enc>[BQ])\?(?<text>[^?]*)\?=", RegexOptions.IgnoreCase)]
    private static partial Regex EncodedWord();

    [GeneratedRegex(@"http://\S+/account/invitation\?token=[A-Za-z0-9_\-%]+")]
    private static partial Regex LinkPattern();
}
