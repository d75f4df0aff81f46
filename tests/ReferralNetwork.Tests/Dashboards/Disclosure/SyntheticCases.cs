using ReferralNetwork.Dashboards.Disclosure;

namespace ReferralNetwork.Tests.Dashboards.Disclosure;

/// <summary>
/// Deterministic synthetic case records with the skew of the Mekong caseload: most people are identified in
/// Thailand, Cambodia and Myanmar; nationalities are mostly Myanmar, Cambodian, Lao and Vietnamese, with many
/// Chinese and Indonesian people identified in the scam compounds of Cambodia and Myanmar; forced criminality is
/// the commonest form, then forced labour; most are young adults, more men than women; the caseload grows.
/// </summary>
internal static class SyntheticCases
{
    private static readonly (string Value, double Weight)[] IdentificationCountries =
        [("TH", 0.40), ("KH", 0.24), ("MM", 0.20), ("VN", 0.10), ("LA", 0.06)];

    private static readonly Dictionary<string, (string Value, double Weight)[]> NationalityByCountry = new()
    {
        ["TH"] = [("MM", 0.36), ("KH", 0.24), ("LA", 0.18), ("VN", 0.10), ("CN", 0.05), ("ID", 0.04), ("TH", 0.03)],
        ["KH"] = [("VN", 0.24), ("CN", 0.22), ("ID", 0.16), ("MM", 0.10), ("TH", 0.10), ("LA", 0.08), ("KH", 0.10)],
        ["MM"] = [("CN", 0.34), ("VN", 0.14), ("ID", 0.12), ("TH", 0.10), ("MM", 0.12), ("LA", 0.08), ("KH", 0.10)],
        ["VN"] = [("VN", 0.72), ("CN", 0.12), ("KH", 0.09), ("LA", 0.07)],
        ["LA"] = [("LA", 0.50), ("VN", 0.20), ("CN", 0.18), ("MM", 0.12)],
    };

    private static readonly (string Value, double Weight)[] AgeBands =
        [("0-11", 0.03), ("12-17", 0.10), ("18-24", 0.30), ("25-34", 0.32), ("35-49", 0.17), ("50+", 0.04), ("unknown", 0.04)];

    private static readonly (string Value, double Weight)[] Sexes = [("M", 0.56), ("F", 0.42), ("X", 0.02)];

    private static readonly (string Value, double Weight)[] Forms =
        [("forced-criminality", 0.46), ("forced-labour", 0.24), ("sexual-exploitation", 0.15), ("forced-marriage", 0.08), ("forced-begging", 0.04), ("child-soldiering", 0.01), ("organ-removal", 0.02)];

    private static readonly (string Value, double Weight)[] Stages =
        [("identified", 0.10), ("screened", 0.15), ("referred", 0.20), ("accepted", 0.20), ("repatriated", 0.20), ("reintegrating", 0.15)];

    private static readonly (string? Value, double Weight)[] Closures =
        [(null, 0.70), ("reintegrated", 0.15), ("declined-services", 0.08), ("lost-contact", 0.07)];

    public static List<CaseRecord> Generate(int count, int seed, int firstYear = 2023, int years = 3)
    {
        var rng = new Random(seed);
        var months = Enumerable.Range(0, years * 12).Select(i => Period.Month(firstYear + (i / 12), (i % 12) + 1)).ToArray();

        // The caseload doubles over the span.
        var monthWeights = months.Select((_, i) => (Value: i, Weight: 1.0 + (i / (double)months.Length))).ToArray();
        var cases = new List<CaseRecord>(count);
        for (var n = 0; n < count; n++)
        {
            var country = Pick(rng, IdentificationCountries);
            var form = Pick(rng, Forms);
            var forms = rng.NextDouble() < 0.12 ? new[] { form, Pick(rng, Forms) }.Distinct().ToArray() : [form];
            cases.Add(new CaseRecord(
                months[Pick(rng, monthWeights)],
                country,
                Pick(rng, NationalityByCountry[country]),
                Pick(rng, AgeBands),
                Pick(rng, Sexes),
                forms,
                ["act:recruitment", rng.NextDouble() < 0.7 ? "means:deception" : "means:coercion", $"purpose:{form}"],
                Pick(rng, Stages),
                Pick(rng, Closures)));
        }

        return cases;
    }

    private static T Pick<T>(Random rng, (T Value, double Weight)[] weighted)
    {
        var u = rng.NextDouble() * weighted.Sum(w => w.Weight);
        foreach (var (value, weight) in weighted)
        {
            u -= weight;
            if (u < 0)
            {
                return value;
            }
        }

        return weighted[^1].Value;
    }
}
