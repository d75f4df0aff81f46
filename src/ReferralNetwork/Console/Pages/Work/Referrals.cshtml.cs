using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ReferralNetwork.Contracts;
using ReferralNetwork.Referrals.ReadModel;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>The referrals the organization holds or participates in, newest change first; filters by stage, country and overdue offers.</summary>
public sealed class ReferralsModel : WorkPage
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)]
    public Stage? Stage { get; set; }

    /// <summary>Where the person was identified, or their nationality.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Country { get; set; }

    /// <summary>Only referrals with an offer past its deadline, made by or to the organization.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Overdue { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<ReferralListRow> Rows { get; private set; } = [];

    public int Total { get; private set; }

    public IReadOnlyList<string> Countries { get; private set; } = [];

    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync()
    {
        await LoadDirectoryAsync();
        Countries = [.. Directory.Values.Select(o => o.Country).Where(c => c.Length == 2).Distinct().Order()];
        var organization = Caller.OrganizationId;
        var access = Db.ReferralAccess;
        var inbox = Db.Inbox;
        var query = Db.Referrals.AsNoTracking().Where(r => access.Any(a => a.ReferralId == r.Id && a.OrganizationId == organization));
        if (Stage is { } stage)
        {
            query = query.Where(r => r.Stage == stage);
        }

        if (Country is { Length: 2 } country)
        {
            var code = country.ToUpperInvariant();
            query = query.Where(r => r.IdentifiedIn == code || r.Nationality == code);
        }

        if (Overdue)
        {
            var now = Now;
            query = query.Where(r => inbox.Any(i => i.ReferralId == r.Id && i.Status == HandoffStatus.Offered && i.RespondBy < now
                && (i.FromOrganizationId == organization || i.ToOrganizationId == organization)));
        }

        PageNumber = Math.Max(PageNumber, 1);
        Total = await query.CountAsync(HttpContext.RequestAborted);
        Rows = await query.OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.Id)
            .Skip((PageNumber - 1) * PageSize).Take(PageSize).ToListAsync(HttpContext.RequestAborted);
    }

    /// <summary>The address of another page of the same filtered list.</summary>
    public string PageLink(int page) => QueryString.Create(new Dictionary<string, string?>
    {
        ["stage"] = Stage?.ToString(),
        ["country"] = Country,
        ["overdue"] = Overdue ? "true" : null,
        ["page"] = page.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(p => p.Value is not null)).ToUriComponent();
}
