using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Organizations;
using ReferralNetwork.Referrals;
using ReferralNetwork.Referrals.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Matching;

/// <summary>
/// The possible matches as focal points see and decide them. A side of a match belongs to the focal point of its
/// referral's holder country (the referral list's holder, as the directory places it); a match none of whose sides
/// belongs to the caller's country does not exist to the caller (404). Only focal points see matches: any other
/// organization gets an empty list.
/// </summary>
public sealed class MatchBoard(PlatformDbContext db, IGrainFactory grains, TimeProvider time)
{
    public async Task<List<MatchView>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (caller.Kind != OrganizationKind.FocalPoint)
        {
            return [];
        }

        caller.Require(CaseAction.ReadReferrals);
        var held = HeldIn(caller.Country);
        var matches = await db.PossibleMatches
            .Where(m => held.Contains(m.ReferralA) || held.Contains(m.ReferralB))
            .OrderBy(m => m.FoundAt).ThenBy(m => m.Id)
            .ToListAsync(cancellationToken);
        var countries = await HolderCountriesAsync(matches, cancellationToken);
        var views = matches.SelectMany(m => Sides(m, caller.Country, countries).Select(side => View(m, side, countries))).ToList();

        // The first time an organization is shown a match is part of the match's audit.
        var ids = matches.Select(m => m.Id).ToList();
        var seen = await db.MatchAudit
            .Where(a => ids.Contains(a.MatchId) && a.Action == MatchAuditAction.Seen && a.OrganizationId == caller.OrganizationId)
            .Select(a => a.MatchId).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var id in ids.Except(seen))
        {
            db.MatchAudit.Add(new MatchAuditRow { MatchId = id, Action = MatchAuditAction.Seen, OrganizationId = caller.OrganizationId, Person = caller.Person, At = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        return views;
    }

    public async Task<List<MatchAuditEntry>> AuditAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var (match, _, _) = await ReachableAsync(caller, id, CaseAction.ReadReferrals, cancellationToken);
        return await db.MatchAudit.Where(a => a.MatchId == match.Id).OrderBy(a => a.Id).Select(a => a.ToEntry()).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Confirms the caller's side (both sides, for a match inside one country). Once both sides have confirmed, each
    /// focal point becomes a participant of the other referral and each referral records <see cref="ReferralLinked"/>.
    /// Confirming again is harmless, and finishes a linking that failed half-way.
    /// </summary>
    public async Task<MatchView> ConfirmAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var (match, own, countries) = await ReachableAsync(caller, id, CaseAction.VerifyNationality, cancellationToken);
        if (match.Dismissed)
        {
            throw ProblemException.NotNow(RefusalCode.MatchDecided, "This possible match was dismissed; it can no longer be confirmed.");
        }

        await DecideAsync(caller, match, own, MatchSideStatus.Confirmed, MatchAuditAction.Confirmed, cancellationToken);

        // Both sides may confirm at the same moment, each saving its own column: the row as stored says whether both have.
        await db.Entry(match).ReloadAsync(cancellationToken);
        if (match.Confirmed && match.LinkedAt is null)
        {
            await LinkAsync(match, countries, cancellationToken);
        }

        return View(match, own[0], countries);
    }

    /// <summary>Dismisses the match for both sides: either focal point may, until both have confirmed.</summary>
    public async Task<MatchView> DismissAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        var (match, own, countries) = await ReachableAsync(caller, id, CaseAction.VerifyNationality, cancellationToken);
        if (match.Confirmed)
        {
            throw ProblemException.NotNow(RefusalCode.MatchDecided, "Both focal points confirmed this match; it can no longer be dismissed.");
        }

        await DecideAsync(caller, match, own, MatchSideStatus.Dismissed, MatchAuditAction.Dismissed, cancellationToken);
        return View(match, own[0], countries);
    }

    private async Task DecideAsync(Caller caller, PossibleMatch match, IReadOnlyList<Guid> own, MatchSideStatus status, MatchAuditAction action, CancellationToken cancellationToken)
    {
        if (own.All(side => match.StatusOf(side) == status))
        {
            return;
        }

        foreach (var side in own)
        {
            match.Set(side, status);
        }

        db.MatchAudit.Add(new MatchAuditRow { MatchId = match.Id, Action = action, OrganizationId = caller.OrganizationId, Person = caller.Person, At = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Whether a referral's case had ended before the person was identified again: handed over at home, or closed, but
    /// not closed as the duplicate of another record (the same episode) nor as not a victim (nothing to be trafficked again from).
    /// </summary>
    public static bool Ended(Stage stage, ClosureReason? closure) =>
        stage is Stage.Returned or Stage.Reintegration
        || stage == Stage.Closed && closure is not (ClosureReason.Duplicate or ClosureReason.NotAVictim);

    private async Task LinkAsync(PossibleMatch match, IReadOnlyDictionary<Guid, string> countries, CancellationToken cancellationToken)
    {
        // Decided before linking, from the referrals themselves (not the list, which may lag a close), so that the link's
        // own events cannot count.
        var views = await Task.WhenAll(new[] { match.ReferralA, match.ReferralB }.Select(side => grains.GetGrain<IReferralGrain>(side).ServerView()));
        match.ReIdentification = views.Any(v => Ended(v.Stage, v.ClosureReason));
        foreach (var side in new[] { match.ReferralA, match.ReferralB })
        {
            var otherCountry = CountryOf(match, match.Other(side), countries);
            var focalPoint = await db.Organizations
                .Where(o => o.Country == otherCountry && o.Kind == OrganizationKind.FocalPoint)
                .Select(o => o.Id).FirstOrDefaultAsync(cancellationToken)
                ?? throw new InvalidOperationException($"Country {otherCountry} has no focal point to link match {match.Id} to.");
            await grains.GetGrain<IReferralGrain>(side).Link(match.Id, focalPoint, otherCountry);
        }

        var now = time.GetUtcNow();
        match.LinkedAt = now;
        db.MatchAudit.Add(new MatchAuditRow { MatchId = match.Id, Action = MatchAuditAction.Linked, At = now });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The match and the sides of it that the caller's country holds; 404 when there are none (or the caller is no focal point).</summary>
    private async Task<(PossibleMatch Match, IReadOnlyList<Guid> Own, IReadOnlyDictionary<Guid, string> Countries)> ReachableAsync(
        Caller caller, Guid id, CaseAction action, CancellationToken cancellationToken)
    {
        var match = caller.Kind == OrganizationKind.FocalPoint
            ? await db.PossibleMatches.SingleOrDefaultAsync(m => m.Id == id, cancellationToken)
            : null;
        var countries = match is null ? new Dictionary<Guid, string>() : await HolderCountriesAsync([match], cancellationToken);
        var own = match is null ? [] : Sides(match, caller.Country, countries).ToList();
        if (match is null || own.Count == 0)
        {
            throw new ProblemException(ProblemKind.NotFound, "No such match.", code: RefusalCode.NotFound);
        }

        caller.Require(action);
        return (match, own, countries);
    }

    private IQueryable<Guid> HeldIn(string country) =>
        db.Referrals.Join(db.Organizations, r => r.Holder, o => o.Id, (r, o) => new { r.Id, o.Country })
            .Where(x => x.Country == country).Select(x => x.Id);

    /// <summary>The holder country of each referral of the matches, as the referral list and the directory have it.</summary>
    private async Task<Dictionary<Guid, string>> HolderCountriesAsync(IEnumerable<PossibleMatch> matches, CancellationToken cancellationToken)
    {
        var ids = matches.SelectMany(m => new[] { m.ReferralA, m.ReferralB }).Distinct().ToList();
        return await db.Referrals.Where(r => ids.Contains(r.Id))
            .Join(db.Organizations, r => r.Holder, o => o.Id, (r, o) => new { r.Id, o.Country })
            .ToDictionaryAsync(x => x.Id, x => x.Country, cancellationToken);
    }

    /// <summary>A referral the read model does not list yet (its create still settling, or failed) belongs to no one.</summary>
    private static IEnumerable<Guid> Sides(PossibleMatch match, string country, IReadOnlyDictionary<Guid, string> countries) =>
        new[] { match.ReferralA, match.ReferralB }.Distinct().Where(side => countries.GetValueOrDefault(side) == country);

    private static string CountryOf(PossibleMatch match, Guid side, IReadOnlyDictionary<Guid, string> countries) =>
        countries.GetValueOrDefault(side) ?? (side == match.ReferralA ? match.CountryA : match.CountryB);

    private static MatchView View(PossibleMatch match, Guid own, IReadOnlyDictionary<Guid, string> countries)
    {
        var other = match.Other(own);
        var linked = match.Confirmed && match.LinkedAt is not null;
        return new MatchView(
            match.Id, own, CountryOf(match, other, countries), match.Similarity, match.StatusFor(own), match.FoundAt,
            linked ? other : null)
        {
            ReIdentification = linked && match.ReIdentification,
        };
    }
}
