using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Organizations;

/// <summary>DEVELOPMENT ONLY: the demo countries and organizations of the embedded profile (DESIGN §5).</summary>
public static class DemoDirectory
{
    public static readonly IReadOnlyList<Country> Countries =
    [
        new() { Code = "VN", Name = "Viet Nam" },
        new() { Code = "KH", Name = "Cambodia" },
        new() { Code = "LA", Name = "Lao PDR" },
        new() { Code = "MM", Name = "Myanmar" },
        new() { Code = "TH", Name = "Thailand" },
        new() { Code = Country.Regional, Name = "COMMIT regional" },
    ];

    public static IReadOnlyList<Organization> Organizations() =>
    [
        FocalPoint("th-focal-point", "Thailand national focal point (MSDHS)", "TH"),
        Shelter("th-shelter-bangkok", "Bangkok protection and occupational development centre", "TH", 40),
        FocalPoint("vn-focal-point", "Viet Nam national focal point (MOLISA)", "VN"),
        Shelter("vn-shelter-hanoi", "Hanoi social protection shelter", "VN", 30),
        new()
        {
            Id = "vn-ngo-reintegration", Name = "Viet Nam reintegration NGO", Country = "VN", Kind = OrganizationKind.Ngo,
            Services =
            [
                new() { Service = ServiceKind.Reintegration, Capacity = 60 },
                new() { Service = ServiceKind.Vocational, Capacity = 25 },
                new() { Service = ServiceKind.Psychosocial, Capacity = 25 },
                new() { Service = ServiceKind.FamilyTracing, Capacity = 15 },
            ],
        },
        FocalPoint("kh-focal-point", "Cambodia national focal point (MoSVY)", "KH"),
        Shelter("kh-shelter-phnom-penh", "Phnom Penh recovery shelter", "KH", 25),
        FocalPoint("la-focal-point", "Lao PDR national focal point (MoLSW)", "LA"),
        FocalPoint("mm-focal-point", "Myanmar national focal point (DSW)", "MM"),

        // Fictional: a consular section for a nationality without a focal point on the platform, sitting in TH.
        new() { Id = "th-embassy-cn", Name = "Demo consular section for CN nationals, Bangkok (fictional)", Country = "TH", Kind = OrganizationKind.Embassy, Nationalities = ["CN"] },
        new() { Id = "regional-secretariat", Name = "COMMIT regional secretariat", Country = Country.Regional, Kind = OrganizationKind.International },
    ];

    private static Organization FocalPoint(string id, string name, string country) =>
        new() { Id = id, Name = name, Country = country, Kind = OrganizationKind.FocalPoint };

    private static Organization Shelter(string id, string name, string country, int beds) => new()
    {
        Id = id, Name = name, Country = country, Kind = OrganizationKind.Shelter,
        Services =
        [
            new() { Service = ServiceKind.Shelter, Capacity = beds },
            new() { Service = ServiceKind.Medical, Capacity = beds },
            new() { Service = ServiceKind.Psychosocial, Capacity = beds / 2 },
        ],
    };

    /// <summary>Adds what is missing; never overwrites what an administrator changed.</summary>
    public static async Task SeedAsync(PlatformDbContext db, CancellationToken cancellationToken)
    {
        var countries = await db.Countries.Select(c => c.Code).ToListAsync(cancellationToken);
        db.Countries.AddRange(Countries.Where(c => !countries.Contains(c.Code)).Select(c => new Country { Code = c.Code, Name = c.Name }));
        var organizations = await db.Organizations.Select(o => o.Id).ToListAsync(cancellationToken);
        db.Organizations.AddRange(Organizations().Where(o => !organizations.Contains(o.Id)));
        await db.SaveChangesAsync(cancellationToken);
    }
}
