using System.ComponentModel.DataAnnotations;

namespace ReferralNetwork.Contracts.Api;

/// <summary>
/// A directory entry. <see cref="Nationalities"/> are the nationalities an <c>embassy</c> or <c>international</c>
/// organization handles: it receives the return of a person of one of them when that country has no focal point.
/// </summary>
public sealed record OrganizationView(
    string Id, string Name, string Country, OrganizationKind Kind, IReadOnlyList<ServiceOfferView> Services, IReadOnlyList<string>? Nationalities = null);

/// <summary>
/// A service of the directory. <see cref="Capacity"/> is the declared figure (kept for clients written before
/// capacities existed); <see cref="Capacities"/> is what the organization reports now, one entry per unit
/// (Open Referral HSDS <c>service_capacity</c>).
/// </summary>
public sealed record ServiceOfferView(ServiceKind Service, int Capacity, IReadOnlyList<CapacityView>? Capacities = null);

/// <summary>How much of a service is free: <see cref="Available"/> of <see cref="Maximum"/> <see cref="Unit"/>s, as of <see cref="Updated"/>.</summary>
public sealed record CapacityView(string Unit, int Available, int Maximum, DateTimeOffset Updated);

/// <summary>The body of <c>PUT /api/v1/organizations/{id}/services/{service}/capacity</c>: <c>{"unit": "beds", "available", "maximum"}</c>.</summary>
public sealed record CapacityRequest(
    [property: MaxLength(Limits.Code)] string? Unit,
    [property: Range(0, Limits.CapacityFigure)] int? Available,
    [property: Range(0, Limits.CapacityFigure)] int? Maximum);

/// <summary>A service's capacity at a moment (an inbox entry shows the target's at the time of the offer).</summary>
public sealed record ServiceCapacityView(ServiceKind Service, string Unit, int Available, int Maximum, DateTimeOffset Updated);
