using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Referrals;

public static class InboxEndpoints
{
    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        app.MapApiGroup("inbox", "Workflow")
            .MapGet("/", InboxAsync)
            .RequireAuthorization(Scopes.ReferralsRead)
            .WithName("Inbox")
            .WithSummary("Handoffs waiting for the caller's organization, oldest deadline first.");

        app.MapApiGroup("indicators", "Workflow")
            .MapGet("/", Indicators)
            .WithName("Indicators")
            .WithSummary("The screening list, localized (en, vi, km, lo, my, th; English where a label is missing).");
        return app;
    }

    private static async Task<Ok<List<InboxItem>>> InboxAsync(HttpContext http, PlatformDbContext db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(http.User);
        var rows = await db.Inbox.AsNoTracking()
            .Where(i => i.ToOrganizationId == caller.OrganizationId && i.Status == HandoffStatus.Offered)
            .OrderBy(i => i.RespondBy)
            .ToListAsync(cancellationToken);

        // Each offer shows what the caller (its target) reported for the offered services when the offer was made.
        var items = rows.Select(r => r.ToItem()).ToList();
        var history = await db.CapacityHistoryAsync(
            caller.OrganizationId, [.. items.SelectMany(i => i.Services).Distinct()], items.Select(i => i.OfferedAt).DefaultIfEmpty().Max(), cancellationToken);
        return TypedResults.Ok(items.Select(i => i with { CapacityAtOffer = history.At(i.Services, i.OfferedAt) }).ToList());
    }

    private static Ok<List<IndicatorView>> Indicators([MaxLength(Limits.LanguageTag)] string? lang)
    {
        var language = string.IsNullOrWhiteSpace(lang) ? IndicatorCatalog.FallbackLanguage : lang.Trim().ToLowerInvariant();
        return TypedResults.Ok(IndicatorCatalog.All.Select(i =>
        {
            var localized = i.Labels.TryGetValue(language, out var label);
            var shown = localized ? language : IndicatorCatalog.FallbackLanguage;
            return new IndicatorView(i.Code, i.Element, i.Category, localized ? label! : i.Labels[IndicatorCatalog.FallbackLanguage], shown,
                !IndicatorCatalog.ReviewedLanguages.Contains(shown));
        }).ToList());
    }
}
