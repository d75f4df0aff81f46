namespace ReferralNetwork.Contracts.Api;

/// <summary>
/// The largest values the API accepts. Request types carry them as attributes (<c>[MaxLength]</c> on a string: characters;
/// on a list: items; <c>[Range]</c> on a number; <see cref="ItemMaxLengthAttribute"/> on a list of strings), the OpenAPI
/// document publishes them, and a request past one is refused with a 400 problem naming the field, changing nothing.
/// </summary>
public static class Limits
{
    /// <summary>Free text: messages, reasons, notes.</summary>
    public const int Text = 2000;

    /// <summary>A case summary, kept in the subject compartment.</summary>
    public const int Summary = 4000;

    /// <summary>A given or family name.</summary>
    public const int Name = 200;

    /// <summary>An ISO 3166-1 alpha-2 country code.</summary>
    public const int CountryCode = 2;

    /// <summary>A BCP 47 language tag (35 characters is what RFC 5646 asks every implementation to support).</summary>
    public const int LanguageTag = 35;

    /// <summary>Languages a person speaks.</summary>
    public const int Languages = 10;

    /// <summary>An organization's id in the directory.</summary>
    public const int OrganizationId = 100;

    /// <summary>A code from a fixed list the API publishes (an indicator, a scope, a role, an event type, a unit).</summary>
    public const int Code = 64;

    /// <summary>Items of a list of codes or of enumerated values (forms of exploitation, services, indicators).</summary>
    public const int Codes = 64;

    /// <summary>A crossing point of a return.</summary>
    public const int CrossingPoint = 200;

    /// <summary>Who escorts a return.</summary>
    public const int Escort = 500;

    /// <summary>The highest capacity figure an organization reports (available or maximum).</summary>
    public const int CapacityFigure = 100_000;

    /// <summary>A webhook's target URL.</summary>
    public const int Url = 2048;

    /// <summary>A webhook subscription's description.</summary>
    public const int WebhookDescription = 256;

    /// <summary>An OAuth client's name.</summary>
    public const int ClientName = 100;

    /// <summary>An OAuth client's description.</summary>
    public const int ClientDescription = 500;

    /// <summary>An e-mail address.</summary>
    public const int Email = 256;

    /// <summary>Roles of one person.</summary>
    public const int Roles = 4;

    /// <summary>People in one bulk intake (<c>POST /api/v1/referrals/batch</c>).</summary>
    public const int BatchItems = 500;

    /// <summary>People in one return group (<c>POST /api/v1/groups</c>): a chartered flight's or a bus's worth.</summary>
    public const int GroupMembers = 500;

    /// <summary>A return group's label (a flight number, a date, a crossing point): never a person's name.</summary>
    public const int GroupLabel = 200;

    /// <summary>An idempotency key: the <c>Idempotency-Key</c> header of a create, or a batch item's key.</summary>
    public const int IdempotencyKey = 200;

    /// <summary>
    /// What a batch item's idempotency key is made of: letters, digits and <c>. _ ~ -</c>, as in a UUID or a row number.
    /// Keys are identifiers stored in plain text, never personal data.
    /// </summary>
    public const string IdempotencyKeyPattern = "^[A-Za-z0-9._~-]+$";
}

/// <summary>Each string of the list has at most <see cref="Length"/> characters.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ItemMaxLengthAttribute(int length) : Attribute
{
    public int Length { get; } = length;
}
