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

    private static async Task<Created<WebhookView>> CreateAsync(WebhookRequest request, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken)
    {
        var made = await webhooks.CreateAsync(Caller.From(http.User), request, cancellationToken);
        return TypedResults.Created($"/api/v1/webhooks/{made.Id}", made);
    }

    private static async Task<Ok<List<WebhookView>>> ListAsync(HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await webhooks.ListAsync(Caller.From(http.User), cancellationToken));

    private static async Task<Ok<WebhookView>> GetAsync(Guid id, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await webhooks.GetAsync(Caller.From(http.User), id, cancellationToken));

    private static async Task<NoContent> DeleteAsync(Guid id, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken)
    {
        await webhooks.DeleteAsync(Caller.From(http.User), id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<WebhookView>> RotateSecretAsync(Guid id, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await webhooks.RotateSecretAsync(Caller.From(http.User), id, cancellationToken));

    private static async Task<Ok<WebhookView>> EnableAsync(Guid id, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await webhooks.EnableAsync(Caller.From(http.User), id, cancellationToken));

    private static async Task<Accepted<WebhookDeliveryView>> TestAsync(Guid id, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", await webhooks.TestAsync(Caller.From(http.User), id, cancellationToken));

    private static async Task<Ok<List<WebhookDeliveryView>>> DeliveriesAsync(
        Guid id, [Range(1, OrganizationWebhooks.MaxDeliveriesListed)] int? limit, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await webhooks.DeliveriesAsync(Caller.From(http.User), id, limit ?? 50, cancellationToken));

    private static async Task<Accepted<WebhookDeliveryView>> ReplayAsync(
        Guid id, Guid deliveryId, HttpContext http, OrganizationWebhooks webhooks, CancellationToken cancellationToken) =>
        TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", await webhooks.ReplayAsync(Caller.From(http.User), id, deliveryId, cancellationToken));
}
