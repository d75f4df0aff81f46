using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.People;
using ReferralNetwork.Storage;
using ReferralNetwork.WebConsole;

namespace ReferralNetwork.Notifications;

/// <summary>
/// Tells the people of an organization by e-mail, where SMTP is configured, that work waits for them in the console: a
/// new offer to answer, an offer of theirs that expired unanswered, a planned return whose handover they confirm. In
/// each person's language and time zone, with a link to the console and nothing about the person the referral is for.
/// Once per event (a marker per referral and event number); a notice that cannot be sent is logged and not retried: the
/// console's work waiting stays the record, and these e-mails only point to it.
/// </summary>
public sealed class NoticeConsumer(
    PlatformDbContext db, EventDelivery delivery, Mailer mailer, IStringLocalizer<ConsoleText> text, NoticeLinks links, ILogger<NoticeConsumer> logger)
    : ReferralEventProjection(db, delivery), IConsumer<HandoffOffered>, IConsumer<HandoffExpired>, IConsumer<ReturnPlanned>
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(15);

    public override string Name => "notices";

    public Task Consume(ConsumeContext<HandoffOffered> context) =>
        NotifyAsync(context.Message, [context.Message.ToOrganizationId], "Offer", $"console/offers/{context.Message.HandoffId}",
            zone => [NameOf(context.Message.FromOrganizationId), zone.DateAndTime(context.Message.RespondBy)], context.CancellationToken);

    public Task Consume(ConsumeContext<HandoffExpired> context) =>
        NotifyAsync(context.Message, [context.Message.FromOrganizationId], "Expired", $"console/referrals/{context.Message.ReferralId}",
            _ => [NameOf(context.Message.ToOrganizationId)], context.CancellationToken);

    /// <summary>Both focal points confirm the handover; the one that did not plan it hears of the plan.</summary>
    public async Task Consume(ConsumeContext<ReturnPlanned> context)
    {
        var e = context.Message;
        var focalPoints = await Db.Organizations.AsNoTracking()
            .Where(o => o.Kind == OrganizationKind.FocalPoint && e.Countries.Contains(o.Country) && o.Id != e.ActingOrganizationId)
            .Select(o => o.Id).ToListAsync(context.CancellationToken);
        await NotifyAsync(e, focalPoints, "Return", $"console/referrals/{e.ReferralId}", zone => [zone.Date(e.PlannedFor)], context.CancellationToken);
    }

    private Dictionary<string, string> _names = [];

    private string NameOf(string organizationId) => _names.GetValueOrDefault(organizationId) ?? organizationId;

    private Task NotifyAsync(
        IReferralEvent e, IReadOnlyList<string> organizations, string notice, string path, Func<PersonTime, object[]> arguments, CancellationToken cancellationToken) =>
        ApplyOnceAsync(e, async () =>
        {
            if (!mailer.IsConfigured || organizations.Count == 0)
            {
                return;
            }

            _names = await Db.Organizations.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);

            // People who do the case work of the organization, enabled; admins alone do not.
            var readers = (await Db.Set<Person>().AsNoTracking()
                    .Where(p => organizations.Contains(p.OrganizationId) && p.DisabledAt == null && p.EmailConfirmed)
                    .ToListAsync(cancellationToken))
                .Where(p => p.Email is { Length: > 0 } && (p.Roles.HasFlag(PersonRoles.Officer) || p.Roles.HasFlag(PersonRoles.Supervisor)));
            foreach (var person in readers)
            {
                await SendAsync(person, notice, links.To(path), arguments, cancellationToken);
            }
        }, cancellationToken);

    private async Task SendAsync(Person person, string notice, string link, Func<PersonTime, object[]> arguments, CancellationToken cancellationToken)
    {
        var language = ConsoleLanguages.Of(person.Language) ?? ConsoleLanguages.English;
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(person.TimeZone ?? language.DefaultTimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var time = new PersonTime(language.Culture, zone);
        var (subject, body) = Mailer.In(language.Culture, () =>
            (text[$"Notice.{notice}.Subject"].Value, string.Format(language.Culture, text[$"Notice.{notice}.Body"], [.. arguments(time), link])));
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

public sealed class NoticeConsumerDefinition : ConsumerDefinition<NoticeConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<NoticeConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)));
}

/// <summary>The console's address in an e-mail: the fixed issuer (what people reach the platform at), else this host's own address.</summary>
public sealed class NoticeLinks(TokenServerOptions tokens, ConsoleTokenServer host)
{
    public string To(string path) => (tokens.Issuer?.AbsoluteUri ?? host.Address).TrimEnd('/') + "/" + path;
}

public static class NotificationsFeature
{
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NoticeLinks>();
        builder.PlatformFeatures().AddConsumer<NoticeConsumer, NoticeConsumerDefinition>();
        return builder;
    }
}
