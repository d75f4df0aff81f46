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

/// <summary>E-mail through the configured SMTP server; without a host nothing is sent, and callers show what they would have sent instead.</summary>
public sealed class Mailer(SmtpOptions options)
{
    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Host);

    public async Task SendAsync(string to, string subject, string body, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient(options.Host, options.Port) { EnableSsl = options.EnableSsl };
        if (options.UserName is { } user)
        {
            client.Credentials = new NetworkCredential(user, options.Password);
        }

        using var message = new MailMessage(options.From, to, subject, body) { BodyEncoding = System.Text.Encoding.UTF8, SubjectEncoding = System.Text.Encoding.UTF8 };
        await client.SendMailAsync(message, cancellationToken);
    }

    /// <summary>Runs <paramref name="write"/> in <paramref name="culture"/>, so that localized texts and formats come out in the reader's language.</summary>
    public static T In<T>(CultureInfo culture, Func<T> write)
    {
        var (previous, previousUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
            return write();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (previous, previousUi);
        }
    }
}

/// <summary>Sends an invitation link by e-mail, in the invited person's language, when SMTP is configured.</summary>
public sealed class InvitationMail(Mailer mailer, IStringLocalizer<SignInText> text, ILogger<InvitationMail> logger)
{
    public async Task<bool> SendAsync(Person person, Organization organization, string link, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (!mailer.IsConfigured)
        {
            return false;
        }

        var culture = CultureInfo.GetCultureInfo(person.Language);
        var (subject, body) = Mailer.In(culture, () =>
            (text["InvitationSubject"].Value, string.Format(culture, text["InvitationBody"], organization.Name, link, expiresAt.ToString("f", culture))));
        await mailer.SendAsync(person.Email!, subject, body, cancellationToken);

        // The person's id only: their address is personal data, and logs keep none.
        logger.LogInformation("Invitation for person {PersonId} sent by e-mail", person.Id);
        return true;
    }
}
