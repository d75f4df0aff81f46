using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Webhooks;

/// <summary>
/// The webhook subscriptions of the caller's organization (scope <c>webhooks.manage</c>; a person needs the
/// organization-admin role). Another organization's subscription does not exist to the caller: 404.
/// </summary>
public static class WebhookEndpoints
{
    private const int MaxDeliveriesListed = 200;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("webhooks", "Webhooks").RequireAuthorization(Scopes.WebhooksManage);

        api.MapPost("/", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Subscribe a URL to event types (or [\"*\"]); the answer holds the signing secret, shown only here.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/", ListAsync).WithName("ListWebhooks").WithSummary("The organization's subscriptions, disabled ones included.");
        api.MapGet("/{id:uuid}", GetAsync).WithName("GetWebhook").WithSummary("One subscription: whether it is active, and since when it fails.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{id:uuid}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Unsubscribe; pending deliveries are dropped with the log.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:uuid}/rotate-secret", RotateSecretAsync).WithName("RotateWebhookSecret")
            .WithSummary("A new secret, shown once; deliveries carry signatures under both secrets for 24 hours.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:uuid}/enable", EnableAsync).WithName("EnableWebhook")
            .WithSummary("Resume a disabled subscription (after a 410 or days of failures); its pending deliveries go out again.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:uuid}/test", TestAsync).WithName("TestWebhook")
            .WithSummary("Send a webhook-test event to the subscription, to check the receiver and its signature check.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id:uuid}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries")
            .WithSummary("The delivery log, newest first: every attempt with its time, duration, response status and the next try.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesValidationProblem();
        api.MapPost("/{id:uuid}/deliveries/{deliveryId:uuid}/replay", ReplayAsync).WithName("ReplayWebhookDelivery")
            .WithSummary("Send a delivery again, at once, with the same webhook-id (and the retry schedule from its start).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Created<WebhookView>> CreateAsync(
        WebhookRequest request, HttpContext http, PlatformDbContext db, EnvelopeProtector protector, WebhookTargets targets, WebhookClock clock,
        WebhookOptions options, CancellationToken cancellationToken)
    {
        var caller = Authorized(http);
        var events = await ValidateAsync(request, targets, cancellationToken);
        var count = await db.WebhookSubscriptions.CountAsync(s => s.OrganizationId == caller.OrganizationId, cancellationToken);
        if (count >= options.MaxSubscriptionsPerOrganization)
        {
            throw ProblemException.NotNow(RefusalCode.TooManyWebhooks, $"An organization has at most {options.MaxSubscriptionsPerOrganization} webhook subscriptions; delete one first.");
        }

        var now = clock.Now;
        var (subscription, secret) = WebhookSubscription.Create(protector, caller.OrganizationId, request.Url, events, request.Description, now);
        db.WebhookSubscriptions.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}", subscription.ToView(protector, now, secret));
    }

    private static async Task<Ok<List<WebhookView>>> ListAsync(HttpContext http, PlatformDbContext db, EnvelopeProtector protector, WebhookClock clock, CancellationToken cancellationToken)
    {
        var caller = Authorized(http);
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking()
            .Where(s => s.OrganizationId == caller.OrganizationId).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(subscriptions.Select(s => s.ToView(protector, clock.Now)).ToList());
    }

    private static async Task<Ok<WebhookView>> GetAsync(
        Guid id, HttpContext http, PlatformDbContext db, EnvelopeProtector protector, WebhookClock clock, CancellationToken cancellationToken) =>
        TypedResults.Ok((await FindAsync(db, Authorized(http), id, cancellationToken)).ToView(protector, clock.Now));

    private static async Task<NoContent> DeleteAsync(Guid id, HttpContext http, PlatformDbContext db, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(db, Authorized(http), id, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deliveries = db.WebhookDeliveries.Where(d => d.SubscriptionId == subscription.Id);
        await db.WebhookAttempts.Where(a => deliveries.Any(d => d.Id == a.DeliveryId)).ExecuteDeleteAsync(cancellationToken);
        await deliveries.ExecuteDeleteAsync(cancellationToken);
        await db.WebhookSubscriptions.Where(s => s.Id == subscription.Id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<WebhookView>> RotateSecretAsync(
        Guid id, HttpContext http, PlatformDbContext db, EnvelopeProtector protector, WebhookClock clock, WebhookOptions options, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(db, Authorized(http), id, cancellationToken);
        var now = clock.Now;
        var secret = subscription.RotateSecret(protector, now + options.RotationOverlap);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(subscription.ToView(protector, now, secret));
    }

    private static async Task<Ok<WebhookView>> EnableAsync(
        Guid id, HttpContext http, PlatformDbContext db, EnvelopeProtector protector, WebhookClock clock, WebhookSignal signal, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(db, Authorized(http), id, cancellationToken);
        subscription.Status = WebhookStatus.Active;
        subscription.DisabledAt = null;
        subscription.DisabledReason = null;
        subscription.DisabledAnnounced = false;
        subscription.FailingSince = null;
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        return TypedResults.Ok(subscription.ToView(protector, clock.Now));
    }

    private static async Task<Accepted<WebhookDeliveryView>> TestAsync(
        Guid id, HttpContext http, PlatformDbContext db, WebhookClock clock, WebhookOptions options, WebhookSignal signal, CancellationToken cancellationToken)
    {
        var caller = Authorized(http);
        var subscription = await FindAsync(db, caller, id, cancellationToken);
        var now = clock.Now;
        var delivery = WebhookMessage.NewDelivery(
            subscription.Id, $"{WebhookEventTypes.Test}/{Guid.NewGuid():N}", WebhookEventTypes.Test,
            WebhookMessage.Body(WebhookEventTypes.Test, now, new WebhookTest(subscription.Id, caller.OrganizationId, now)), now, options);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        return TypedResults.Accepted($"/api/v1/webhooks/{subscription.Id}/deliveries", delivery.ToView([]));
    }

    private static async Task<Ok<List<WebhookDeliveryView>>> DeliveriesAsync(
        Guid id, [Range(1, MaxDeliveriesListed)] int? limit, HttpContext http, PlatformDbContext db, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(db, Authorized(http), id, cancellationToken);

        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.SubscriptionId == subscription.Id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(limit ?? 50)
            .ToListAsync(cancellationToken);
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).ToListAsync(cancellationToken)).ToLookup(a => a.DeliveryId);
        return TypedResults.Ok(deliveries.Select(d => d.ToView(attempts[d.Id])).ToList());
    }

    private static async Task<Accepted<WebhookDeliveryView>> ReplayAsync(
        Guid id, Guid deliveryId, HttpContext http, PlatformDbContext db, WebhookClock clock, WebhookSignal signal, CancellationToken cancellationToken)
    {
        var subscription = await FindAsync(db, Authorized(http), id, cancellationToken);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == subscription.Id, cancellationToken)
            ?? throw new ProblemException(ProblemKind.NotFound, "No such delivery of this subscription.");

        // A replay starts the schedule again; the webhook-id stays, so a receiver that had it can tell.
        delivery.Status = WebhookDeliveryStatus.Pending;
        delivery.ScheduleStep = 0;
        delivery.NextAttemptAt = clock.Now;
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == delivery.Id).ToListAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/webhooks/{subscription.Id}/deliveries", delivery.ToView(attempts));
    }

    private static Caller Authorized(HttpContext http)
    {
        var caller = Caller.From(http.User);
        caller.Require(CaseAction.ManageWebhooks);
        return caller;
    }

    private static async Task<WebhookSubscription> FindAsync(PlatformDbContext db, Caller caller, Guid id, CancellationToken cancellationToken) =>
        await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id && s.OrganizationId == caller.OrganizationId, cancellationToken)
            ?? throw new ProblemException(ProblemKind.NotFound, "No such webhook subscription.");

    private static async Task<IReadOnlyList<string>> ValidateAsync(WebhookRequest request, WebhookTargets targets, CancellationToken cancellationToken)
    {
        var errors = FieldErrors.Of(request).Required("url", request.Url);
        if (request.Url is { Length: > 0 and <= Limits.Url } && await targets.RefusalOfAsync(request.Url, cancellationToken) is { } refusal)
        {
            errors.Add("url", refusal);
        }

        var events = (request.Events ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (events.Count == 0)
        {
            errors.Add("events", "Required: event types such as handoff-offered, or [\"*\"] for all.");
        }
        else if (events.Contains(WebhookEventTypes.All) && events.Count > 1)
        {
            errors.Add("events", "\"*\" stands alone: it means every event type.");
        }
        else
        {
            foreach (var (type, index) in events.Select((t, i) => (t, i)).Where(e => e.t != WebhookEventTypes.All && !WebhookEventTypes.Known.Contains(e.t)))
            {
                errors.Add($"events[{index}]", $"Not an event type; one of: {string.Join(", ", WebhookEventTypes.Known)}, or \"*\".");
            }
        }

        errors.ThrowIfAny();
        return events;
    }
}
