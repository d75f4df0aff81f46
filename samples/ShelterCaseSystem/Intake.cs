using System.Threading.Channels;
using ReferralNetwork.Client;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;

namespace ShelterCaseSystem;

/// <summary>An offer made to the shelter, as a webhook or the inbox tells of it: enough to decide, nothing about the person.</summary>
public sealed record Offer(Guid ReferralId, Guid HandoffId, HandoffKind Kind, IReadOnlyList<ServiceKind> Services);

/// <summary>
/// The shelter's intake desk. At start it reports its beds, subscribes to offers (the webhook secret is shown only then,
/// so a program that keeps nothing on disk subscribes afresh and removes what it left before) and takes up the offers
/// that waited in the inbox while it was down. Then it decides on each offer as it comes: it accepts one that asks
/// only for services the shelter provides and, when the person needs a bed, finds one free; it declines any other with
/// the reason.
/// </summary>
public sealed partial class Intake(ReferralNetworkClient platform, ShelterOptions shelter, Beds beds, ILogger<Intake> logger) : BackgroundService
{
    private readonly Channel<Offer> _offers = Channel.CreateUnbounded<Offer>();
    private readonly HashSet<Guid> _answered = [];
    private readonly IReadOnlyList<ServiceKind> _provided = shelter.Provided();
    private WebhookVerifier? _verifier;
    private int _accepted;
    private int _declined;

    /// <summary>Null until the subscription is made (deliveries before that are answered 503, and the platform retries).</summary>
    public WebhookVerifier? Verifier => Volatile.Read(ref _verifier);

    public int Accepted => Volatile.Read(ref _accepted);

    public int Declined => Volatile.Read(ref _declined);

    /// <summary>Queues an offer; deciding takes calls to the platform, which the webhook's answer must not wait for.</summary>
    public void Enqueue(Offer offer) => _offers.Writer.TryWrite(offer);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ReportBedsAsync(stoppingToken);
        await SubscribeAsync(stoppingToken);
        foreach (var waiting in await platform.GetInboxAsync(stoppingToken))
        {
            Enqueue(new Offer(waiting.ReferralId, waiting.HandoffId, waiting.Kind, waiting.Services));
        }

        await foreach (var offer in _offers.Reader.ReadAllAsync(stoppingToken))
        {
            await DecideAsync(offer, stoppingToken);
        }
    }

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var url = shelter.WebhookUrl;
        foreach (var earlier in (await platform.GetWebhooksAsync(cancellationToken)).Where(w => Uri.TryCreate(w.Url, UriKind.Absolute, out var u) && u == url))
        {
            await platform.DeleteWebhookAsync(earlier.Id, cancellationToken);
        }

        var subscription = await platform.SubscribeAsync(new WebhookRequest(url.AbsoluteUri, ["handoff-offered"], "Shelter case system"), cancellationToken);
        Volatile.Write(ref _verifier, new WebhookVerifier(subscription.Secret!));
        LogSubscribed(subscription.Id);
    }

    private async Task DecideAsync(Offer offer, CancellationToken cancellationToken)
    {
        // Deliveries come at least once, and an offer may be in the inbox as well: each is answered once.
        lock (_answered)
        {
            if (!_answered.Add(offer.HandoffId))
            {
                return;
            }
        }

        var needsBed = offer.Kind == HandoffKind.Custody || offer.Services.Contains(ServiceKind.Shelter);
        var tookBed = false;
        try
        {
            var missing = offer.Services.Where(s => !_provided.Contains(s)).ToList();
            if (missing.Count > 0)
            {
                await DeclineAsync(offer, $"We do not provide {string.Join(", ", missing.Select(NameOf))}.", cancellationToken);
                return;
            }

            if (needsBed && !(tookBed = beds.TryTake(offer.ReferralId)))
            {
                await DeclineAsync(offer, "No free bed at the moment.", cancellationToken);
                return;
            }

            var referral = await platform.AcceptHandoffAsync(offer.ReferralId, offer.HandoffId, cancellationToken: cancellationToken);
            Interlocked.Increment(ref _accepted);
            LogAccepted(offer.HandoffId, offer.ReferralId);
            if (tookBed)
            {
                await ReportBedsAsync(cancellationToken);
                await platform.RecordServiceAsync(
                    referral.Id, new ServiceRequest(ServiceKind.Shelter, ServiceStatus.Started, null), referral.Version, cancellationToken);
            }
        }
        catch (ConflictProblemException problem) when (problem.Code == "offer-not-open")
        {
            // Withdrawn or expired before we answered, or answered already by an attempt whose answer was lost.
            Forget(offer, tookBed);
            LogNotOpen(offer.HandoffId);
        }
        catch (Exception e) when (e is ApiProblemException or HttpRequestException or TimeoutException)
        {
            // Left unanswered: the offer stays in the inbox, which is read again at the next start.
            Forget(offer, tookBed);
            LogFailed(e, offer.HandoffId);
        }
    }

    private async Task DeclineAsync(Offer offer, string reason, CancellationToken cancellationToken)
    {
        // The reason stays in the platform with the referral; events and webhooks never carry it.
        await platform.DeclineHandoffAsync(offer.ReferralId, offer.HandoffId, reason, cancellationToken: cancellationToken);
        Interlocked.Increment(ref _declined);
        LogDeclined(offer.HandoffId, offer.ReferralId);
    }

    private void Forget(Offer offer, bool tookBed)
    {
        if (tookBed)
        {
            beds.Release(offer.ReferralId);
        }

        lock (_answered)
        {
            _answered.Remove(offer.HandoffId);
        }
    }

    private Task ReportBedsAsync(CancellationToken cancellationToken) =>
        platform.SetCapacityAsync(shelter.OrganizationId, ServiceKind.Shelter, new CapacityRequest("beds", beds.Available, beds.Total), cancellationToken);

    private static string NameOf(ServiceKind service) => ContractEnums.IsKnown(service) ? ClientJson.Name(service) : "a service this system does not know yet";

    [LoggerMessage(LogLevel.Information, "Subscribed to offers as webhook {SubscriptionId}")]
    private partial void LogSubscribed(Guid subscriptionId);

    [LoggerMessage(LogLevel.Information, "Accepted offer {HandoffId} of referral {ReferralId}")]
    private partial void LogAccepted(Guid handoffId, Guid referralId);

    [LoggerMessage(LogLevel.Information, "Declined offer {HandoffId} of referral {ReferralId}")]
    private partial void LogDeclined(Guid handoffId, Guid referralId);

    [LoggerMessage(LogLevel.Information, "Offer {HandoffId} is no longer open")]
    private partial void LogNotOpen(Guid handoffId);

    [LoggerMessage(LogLevel.Warning, "Could not answer offer {HandoffId}; it stays in the inbox")]
    private partial void LogFailed(Exception exception, Guid handoffId);
}
