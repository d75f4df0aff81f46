using System.Buffers.Binary;
using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
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
    /// <summary>
    /// Offers in one answer when the caller names no limit, and the most it may ask for: as many as one bulk intake
    /// (500 people) can bring, so that a partner that reads the inbox without paging misses nothing below that.
    /// </summary>
    public const int DefaultLimit = 500;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        app.MapApiGroup("inbox", "Workflow")
            .MapGet("/", InboxAsync)
            .RequireAuthorization(Scopes.ReferralsRead)
            .WithName("Inbox")
            .WithSummary($"Handoffs waiting for the caller's organization, oldest deadline first, {DefaultLimit} at most unless ?limit= says fewer; a Link header (rel=\"next\") gives the next page when there is more.")
            .WithResponseHeader(
                StatusCodes.Status200OK,
                "Link",
                "RFC 8288: <…/api/v1/inbox?limit=…&after=…>; rel=\"next\" when more offers wait after this page; absent on the last page. The after cursor is opaque.",
                maxLength: 512)
            .ProducesValidationProblem();

        app.MapApiGroup("indicators", "Workflow")
            .MapGet("/", Indicators)
            .WithName("Indicators")
            .WithSummary("The screening list, localized (en, vi, km, lo, my, th; English where a label is missing).");
        return app;
    }

    private static async Task<Ok<List<InboxItem>>> InboxAsync(
        HttpContext http,
        PlatformDbContext db,
        [Range(1, MaxLimit)] int? limit,
        [MaxLength(InboxCursor.MaxLength)] string? after,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(http.User);
        var take = limit ?? DefaultLimit;
        var query = db.Inbox.AsNoTracking().Where(i => i.ToOrganizationId == caller.OrganizationId && i.Status == HandoffStatus.Offered);
        if (after is not null)
        {
            var cursor = InboxCursor.Parse(after) ?? throw ProblemException.Invalid("after", "Not a cursor this API gave: use the Link header of the previous page.");
            query = query.Where(i => i.RespondBy > cursor.RespondBy || (i.RespondBy == cursor.RespondBy && i.HandoffId.CompareTo(cursor.HandoffId) > 0));
        }

        // One more than asked tells whether there is a next page. The order is total (deadline, then handoff id), so that
        // a cursor is a position in it: paging never repeats an offer, and none waiting all along is skipped.
        var rows = await query.OrderBy(i => i.RespondBy).ThenBy(i => i.HandoffId).Take(take + 1).ToListAsync(cancellationToken);
        if (rows.Count > take)
        {
            rows.RemoveAt(take);
            var next = new InboxCursor(rows[^1].RespondBy, rows[^1].HandoffId).ToString();
            http.Response.Headers.Link = string.Create(CultureInfo.InvariantCulture, $"<{http.Request.PathBase}/api/v1/inbox?limit={take}&after={next}>; rel=\"next\"");
        }

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

/// <summary>
/// A position in the inbox's order, as the opaque <c>after</c> of its next page: the deadline (instant and offset, exactly as
/// stored, so that it compares equal to itself) and handoff id of the last offer of a page, base64url-encoded behind a
/// version byte. It holds nothing the caller did not just read.
/// </summary>
internal sealed record InboxCursor(DateTimeOffset RespondBy, Guid HandoffId)
{
    public const int MaxLength = 64;
    private const byte Version = 1;
    private const int Size = 1 + sizeof(long) + sizeof(short) + 16;

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], RespondBy.UtcTicks);
        BinaryPrimitives.WriteInt16BigEndian(bytes[9..], (short)RespondBy.TotalOffsetMinutes);
        HandoffId.TryWriteBytes(bytes[11..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    public static InboxCursor? Parse(string text)
    {
        Span<byte> bytes = stackalloc byte[Size + 3];
        if (text.Length > MaxLength || !Base64Url.IsValid(text)
            || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != Size || bytes[0] != Version)
        {
            return null;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var offset = TimeSpan.FromMinutes(BinaryPrimitives.ReadInt16BigEndian(bytes[9..]));
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks || offset.Duration() > TimeSpan.FromHours(14)
            || ticks + offset.Ticks < DateTime.MinValue.Ticks || ticks + offset.Ticks > DateTime.MaxValue.Ticks)
        {
            return null;
        }

        return new InboxCursor(new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(offset), new Guid(bytes.Slice(11, 16), bigEndian: true));
    }
}
