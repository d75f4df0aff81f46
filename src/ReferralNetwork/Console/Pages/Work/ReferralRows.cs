using ReferralNetwork.Referrals.ReadModel;

namespace ReferralNetwork.WebConsole.Pages.Work;

/// <summary>Rows of the referral list read model, as the home and list pages show them (no person: countries, stage, holder).</summary>
public sealed record ReferralRows(IReadOnlyList<ReferralListRow> Rows, WorkPage Page);
