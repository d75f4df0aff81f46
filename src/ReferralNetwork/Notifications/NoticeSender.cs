using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.People;
using ReferralNetwork.Storage;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Notifications;

/// <summary>What a notice says; its texts are <c>Notice.{kind}.Subject</c> and <c>.Body</c> in the console's resources.</summary>
public enum Notice
{
    Offer,
    DueSoon,
    Expired,
    Return,
}

/// <summary>
/// E-mails a notice to the people who do the case work of some organizations (officers and supervisors, enabled): in
/// each one's language and time zone, with a link into the console and nothing about the person the referral is for.
/// Best effort: a notice that cannot be sent is logged (by person id) and not retried, since the console's work waiting
/// stays the record and these e-mails only point to it.
/// </summary>
public sealed class NoticeSender(PlatformDbContext db, Mailer mailer, IStringLocalizer<ConsoleText> text, NoticeLinks links, ILogger<NoticeSender> logger)
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(15);

    public bool IsConfigured => mailer.IsConfigured;

    /// <param name="arguments">The texts' arguments before the link, from organization names and the reader's clock.</param>
    public async Task SendAsync(
        IReadOnlyList<string> organizations, Notice notice, string path, Func<Func<string, string>, PersonTime, object[]> arguments, CancellationToken cancellationToken)
    {
        if (!mailer.IsConfigured || organizations.Count == 0)
        {
            return;
        }

        var names = await db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        string NameOf(string id) => names.GetValueOrDefault(id) ?? id;
        var readers = (await db.Set<Person>().AsNoTracking()
                .Where(p => organizations.Contains(p.OrganizationId) && p.DisabledAt == null && p.EmailConfirmed)
                .ToListAsync(cancellationToken))
            .Where(p => p.Email is { Length: > 0 } && (p.Roles.HasFlag(PersonRoles.Officer) || p.Roles.HasFlag(PersonRoles.Supervisor)));
        foreach (var person in readers)
        {
            var language = ConsoleLanguages.Of(person.Language) ?? ConsoleLanguages.English;
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(person.TimeZone ?? language.DefaultTimeZone, out var found) ? found : TimeZoneInfo.Utc;
            var time = new PersonTime(language.Culture, zone);
            var (subject, body) = Mailer.In(language.Culture, () =>
                (text[$"Notice.{notice}.Subject"].Value, string.Format(language.Culture, text[$"Notice.{notice}.Body"], [.. arguments(NameOf, time), links.To(path)])));
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(SendTimeout);
                await mailer.SendAsync(person.Email!, subject, body, timeout.Token);
            }
            catch (Exception ex) when (ex is System.Net.Mail.SmtpException or IOException or OperationCanceledException or InvalidOperationException)
            {
                // The person's id only: their address is personal data.
                logger.LogWarning(ex, "A {Notice} notice to person {PersonId} could not be sent", notice, person.Id);
            }
        }
    }
}

/// <summary>The console's address in an e-mail: the fixed issuer (what people reach the platform at), else this host's own address.</summary>
public sealed class NoticeLinks(TokenServerOptions tokens, ConsoleTokenServer host)
{
    public string To(string path) => (tokens.Issuer?.AbsoluteUri ?? host.Address).TrimEnd('/') + "/" + path;
}
