namespace ReferralNetwork.Contracts.Api;

public sealed record OrganizationView(string Id, string Name, string Country, OrganizationKind Kind, IReadOnlyList<ServiceOfferView> Services);

public sealed record ServiceOfferView(ServiceKind Service, int Capacity);
