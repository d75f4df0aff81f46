using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Organizations;

/// <summary>
/// What an organization reports of its own capacity, for the API and the console's admin page alike: only the
/// organization itself (a system with <c>directory.write</c>, or a person with the organization-admin role).
/// </summary>
public sealed class OrganizationCapacity(PlatformDbContext db, CapacityAnnouncements announcements, TimeProvider time)
{
    /// <summary>The caller's organization's services as the directory shows them, with every unit reported.</summary>
    public async Task<IReadOnlyList<ServiceOfferView>> OwnAsync(Caller caller, CancellationToken cancellationToken)
    {
        caller.Require(CaseAction.ManageCapacity);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        var reported = (await db.ServiceCapacities.AsNoTracking().Where(c => c.OrganizationId == organization.Id).ToListAsync(cancellationToken))
            .ToLookup(c => (c.OrganizationId, c.Service));
        return organization.ToView(reported).Services;
    }

    /// <summary>Reports how much of one service is free in one unit; the change is published as capacity-changed.</summary>
    public async Task<ServiceOfferView> SetAsync(Caller caller, string organizationId, ServiceKind kind, CapacityRequest request, CancellationToken cancellationToken)
    {
        caller.Require(CaseAction.ManageCapacity);
        if (!string.Equals(organizationId, caller.OrganizationId, StringComparison.Ordinal))
        {
            // The directory is public to every caller, so refusing says nothing that listing it does not.
            throw ProblemException.OnlyMay(RefusalCode.OnlyOwnCapacity, "An organization reports its own capacity only.");
        }

        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == caller.OrganizationId, cancellationToken);
        var offer = organization.Services.SingleOrDefault(s => s.Service == kind)
            ?? throw new ProblemException(ProblemKind.NotFound, $"Your organization does not offer the service {System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString())} in the directory.", code: RefusalCode.NotFound);
        var (unit, available, maximum) = CapacityUnits.Validate(request);

        var now = time.GetUtcNow();
        var change = new CapacityChange
        {
            Id = Guid.CreateVersion7(now), OrganizationId = organization.Id, Country = organization.Country,
            Service = kind, Unit = unit, Available = available, Maximum = maximum, At = now,
        };
        try
        {
            await SaveAsync(change, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The first report of this unit raced another one to insert the row: the row exists now, update it.
            db.ChangeTracker.Clear();
            await SaveAsync(change, cancellationToken);
        }

        await announcements.TryPublishAsync(change);

        var capacities = await db.ServiceCapacities.AsNoTracking().Where(c => c.OrganizationId == organization.Id && c.Service == kind).ToListAsync(cancellationToken);
        return offer.ToView(capacities);
    }

    /// <summary>The figure and its event in one write; the event is published right after (and by the sweep if this process stops first).</summary>
    private async Task SaveAsync(CapacityChange change, CancellationToken cancellationToken)
    {
        var current = await db.ServiceCapacities.SingleOrDefaultAsync(
            c => c.OrganizationId == change.OrganizationId && c.Service == change.Service && c.Unit == change.Unit, cancellationToken);
        if (current is null)
        {
            db.ServiceCapacities.Add(new ServiceCapacity
            {
                OrganizationId = change.OrganizationId, Service = change.Service, Unit = change.Unit,
                Available = change.Available, Maximum = change.Maximum, Updated = change.At,
            });
        }
        else
        {
            current.Available = change.Available;
            current.Maximum = change.Maximum;
            current.Updated = change.At;
        }

        db.CapacityChanges.Add(change);
        await db.SaveChangesAsync(cancellationToken);
    }
}
