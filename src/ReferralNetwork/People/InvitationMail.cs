using System.Globalization;
using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Localization;
using ReferralNetwork.Organizations;

namespace ReferralNetwork.People;

/// <summary>The <c>Smtp</c> section: where invitations are sent from. Without a host, invitations are shown to the admin instead.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public bool EnableSsl { get; set; } = true;

    public string From { get; set; } = "no-reply@referral-network.invalid";

    public string? UserName { get; set; }

    public string? Password { get; set; }
}

/// <summary>Sends an invitation link by e-mail, in the invited person's language, when SMTP is configured.</summary>
public sealed class InvitationMail(SmtpOptions options, IStringLocalizer<SignInText> text, ILogger<InvitationMail> logger)
{
    public async Task<bool> SendAsync(Person person, Organization organization, string link, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            return false;
        }

        var culture = CultureInfo.GetCultureInfo(person.Language);
        var (previous, previousUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        string subject, body;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
            subject = text["InvitationSubject"];
            body = string.Format(culture, text["InvitationBody"], organization.Name, link, expiresAt.ToString("f", culture));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (previous, previousUi);
        }

        using var client = new SmtpClient(options.Host, options.Port) { EnableSsl = options.EnableSsl };
        if (options.UserName is { } user)
        {
            client.Credentials = new NetworkCredential(user, options.Password);
        }

        using var message = new MailMessage(options.From, person.Email!, subject, body) { BodyEncoding = System.Text.Encoding.UTF8, SubjectEncoding = System.Text.Encoding.UTF8 };
        await client.SendMailAsync(message, cancellationToken);

        // The person's id only: their address is personal data, and logs keep none.
        logger.LogInformation("Invitation for person {PersonId} sent by e-mail", person.Id);
        return true;
    }
}
