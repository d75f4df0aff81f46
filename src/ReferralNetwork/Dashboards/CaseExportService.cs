using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Dashboards.Disclosure;
using ReferralNetwork.Dashboards.ReadModel;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Dashboards;

/// <summary>The de-identified case export of DESIGN §8: read-model facts → case records → <see cref="KAnonymizer"/>.</summary>
public sealed class CaseExportService(PlatformDbContext db, DashboardOptions options)
{
    public async Task<CaseExport> ExportAsync(int? year, CancellationToken cancellationToken)
    {
        var cases = db.DashboardCases.AsNoTracking();
        if (year is { } y)
        {
            cases = cases.Where(c => c.IdentifiedMonth >= (y * 100) + 1 && c.IdentifiedMonth <= (y * 100) + 12);
        }

        var rows = await cases
            .Select(c => new Facts(c.IdentifiedMonth, c.IdentifiedIn, c.Nationality, c.AgeBand, c.Sex, c.Forms, c.Elements, c.FurthestStage, c.ClosureReason))
            .ToListAsync(cancellationToken);
        return Release(rows.Select(ToRecord), options.ExportK);
    }

    /// <summary>What the export reads of a case: no id, no organization, nothing personal.</summary>
    public sealed record Facts(int IdentifiedMonth, string IdentifiedIn, string Nationality, AgeBand AgeBand, Sex Sex, int Forms, int Elements, Stage FurthestStage, ClosureReason? ClosureReason);

    public static CaseRecord ToRecord(Facts c) => new(
        Period.Month(c.IdentifiedMonth / 100, c.IdentifiedMonth % 100),
        c.IdentifiedIn,
        c.Nationality,
        DashboardCatalog.AgeBandName(c.AgeBand),
        DashboardCatalog.Name(c.Sex),
        [.. Enum.GetValues<ExploitationForm>().Where(f => (c.Forms & DashboardCase.Bit(f)) != 0).Select(DashboardCatalog.Name)],
        [.. Enum.GetValues<PalermoElement>().Where(e => (c.Elements & DashboardCase.Bit(e)) != 0).Select(DashboardCatalog.Name)],
        DashboardCatalog.Name(c.FurthestStage),
        c.ClosureReason is { } reason ? DashboardCatalog.Name(reason) : null);

    /// <summary>Generalizes then suppresses until every combination of period, countries, age band and sex occurs at least k times.</summary>
    public static CaseExport Release(IEnumerable<CaseRecord> records, int k)
    {
        var release = KAnonymizer.Release(records, k);
        return new CaseExport(
            release.K,
            release.Released.Count,
            release.Withheld,
            [.. release.Released.Select(r => new ExportedCase(
                r.Period.ToString(), r.IdentificationCountry, r.Nationality, r.AgeBand, r.Sex, r.ExploitationForms, r.PalermoElements, r.FurthestStage, r.ClosureReason))]);
    }
}
