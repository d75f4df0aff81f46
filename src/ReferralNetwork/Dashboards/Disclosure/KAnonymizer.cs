namespace ReferralNetwork.Dashboards.Disclosure;

/// <summary>
/// A de-identified case for the export. The quasi-identifiers, which someone who knows a person could match on,
/// are the month of identification, the two countries, the age band and sex; the other fields describe the case
/// and are carried through unchanged.
/// </summary>
public sealed record CaseRecord(
    Period Month,
    string IdentificationCountry,
    string Nationality,
    string AgeBand,
    string Sex,
    IReadOnlyList<string> ExploitationForms,
    IReadOnlyList<string> PalermoElements,
    string FurthestStage,
    string? ClosureReason);

/// <summary>A released case: its quasi-identifiers possibly generalized (a quarter or year, a wider age band, any sex).</summary>
public sealed record ReleasedCase(
    Period Period,
    string IdentificationCountry,
    string Nationality,
    string AgeBand,
    string Sex,
    IReadOnlyList<string> ExploitationForms,
    IReadOnlyList<string> PalermoElements,
    string FurthestStage,
    string? ClosureReason)
{
    /// <summary>The combination of quasi-identifiers that must occur at least k times in a release.</summary>
    public (Period Period, string IdentificationCountry, string Nationality, string AgeBand, string Sex) QuasiIdentifiers =>
        (Period, IdentificationCountry, Nationality, AgeBand, Sex);
}

/// <summary>
/// The export. <see cref="Withheld"/> cases could not be hidden among k − 1 others even at the coarsest level
/// and are left out; <see cref="ReleasedAtLevel"/> counts the released cases by how far they were generalized
/// (index into <see cref="KAnonymizer.Levels"/>).
/// </summary>
public sealed record KAnonymousRelease(int K, IReadOnlyList<ReleasedCase> Released, int Withheld, IReadOnlyList<int> ReleasedAtLevel);

/// <summary>
/// k-anonymous release of case records: every combination of quasi-identifiers in the output is shared by at
/// least k released cases, so matching on what one knows about a person (when and where they were identified,
/// nationality, age, sex) never narrows them down to fewer than k cases.
/// <para>
/// Generalization comes before suppression and is decided per group: all cases start at the finest level
/// (month, age band, sex); each group of k or more is released at that level, and only the cases of the
/// smaller groups move one rung up the ladder <see cref="Levels"/> and are regrouped there with the other
/// cases that moved. Cases still in a group smaller than k at the last rung are withheld. Every released group
/// holds at least k cases with one combination, and an output combination is made of whole released groups,
/// so it holds at least k cases too. Countries are never generalized: the corridor is what the export is for.
/// </para>
/// </summary>
public static class KAnonymizer
{
    public const int DefaultK = 11;

    /// <summary>The age bands cases are recorded in.</summary>
    public static IReadOnlyList<string> AgeBands { get; } = ["0-11", "12-17", "18-24", "25-34", "35-49", "50+", "unknown"];

    public const string Child = "0-17";
    public const string Adult = "18+";
    public const string Unknown = "unknown";
    public const string Any = "any";

    /// <summary>The rungs of generalization, least information lost first.</summary>
    public static IReadOnlyList<GeneralizationLevel> Levels { get; } =
    [
        new(PeriodKind.Month, AgeDetail.Band, SexDetail.Kept),
        new(PeriodKind.Quarter, AgeDetail.Band, SexDetail.Kept),
        new(PeriodKind.Year, AgeDetail.Band, SexDetail.Kept),
        new(PeriodKind.Year, AgeDetail.ChildOrAdult, SexDetail.Kept),
        new(PeriodKind.Year, AgeDetail.ChildOrAdult, SexDetail.Any),
        new(PeriodKind.Year, AgeDetail.Any, SexDetail.Any),
    ];

    public static KAnonymousRelease Release(IEnumerable<CaseRecord> records, int k = DefaultK)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var pending = records.ToList();
        foreach (var r in pending)
        {
            if (r.Month.Kind != PeriodKind.Month)
            {
                throw new ArgumentException($"Cases carry the month of identification, not {r.Month}.", nameof(records));
            }

            if (!AgeBands.Contains(r.AgeBand))
            {
                throw new ArgumentException($"Unknown age band '{r.AgeBand}'.", nameof(records));
            }
        }

        // Quasi-identifiers as small integers packed into one long, so 100,000 cases regroup at each rung
        // without allocating a record per case per rung.
        var countries = new Dictionary<string, long>(StringComparer.Ordinal);
        var sexes = new Dictionary<string, long>(StringComparer.Ordinal);
        long Id(Dictionary<string, long> ids, string value)
        {
            if (!ids.TryGetValue(value, out var id))
            {
                id = ids[value] = ids.Count < 4095 ? ids.Count : throw new ArgumentException("Too many distinct countries or sexes.", nameof(records));
            }

            return id;
        }

        var fixedPart = pending.Select(r =>
            (((Id(countries, r.IdentificationCountry) * 4096) + Id(countries, r.Nationality)) * 4096) + Id(sexes, r.Sex)).ToArray();

        var releasedAt = new int[pending.Count];
        Array.Fill(releasedAt, -1);
        var atLevel = new int[Levels.Count];
        var waiting = Enumerable.Range(0, pending.Count).ToList();
        var groups = new Dictionary<long, List<int>>();
        for (var level = 0; level < Levels.Count && waiting.Count > 0; level++)
        {
            groups.Clear();
            foreach (var i in waiting)
            {
                var key = Key(pending[i], fixedPart[i], Levels[level]);
                if (!groups.TryGetValue(key, out var members))
                {
                    groups[key] = members = [];
                }

                members.Add(i);
            }

            var next = new List<int>();
            foreach (var members in groups.Values)
            {
                if (members.Count >= k)
                {
                    foreach (var i in members)
                    {
                        releasedAt[i] = level;
                    }

                    atLevel[level] += members.Count;
                }
                else
                {
                    next.AddRange(members);
                }
            }

            waiting = next;
        }

        // Sorted by quasi-identifiers and then content, so the order of the export says nothing about the order
        // of identification. The quasi-identifiers compare as one packed key, computed once per case.
        var order = Enumerable.Range(0, pending.Count).Where(i => releasedAt[i] >= 0).ToArray();
        var groupKey = order.Select(i => Key(pending[i], fixedPart[i], Levels[releasedAt[i]])).ToArray();
        var positions = Enumerable.Range(0, order.Length).ToArray();
        Array.Sort(positions, (a, b) =>
        {
            var byKey = groupKey[a].CompareTo(groupKey[b]);
            return byKey != 0 ? byKey : CompareContent(pending[order[a]], pending[order[b]]);
        });
        var released = positions.Select(p => Generalize(pending[order[p]], Levels[releasedAt[order[p]]])).ToList();
        return new KAnonymousRelease(k, released, waiting.Count, atLevel);
    }

    /// <summary>The quasi-identifiers of a case at one rung, packed: period, age, then countries and sex.</summary>
    private static long Key(CaseRecord r, long fixedPart, GeneralizationLevel level)
    {
        var period = level.Period switch
        {
            PeriodKind.Month => r.Month.Number,
            PeriodKind.Quarter => 20 + ((r.Month.Number - 1) / 3) + 1,
            _ => 30,
        };
        var age = level.Age switch
        {
            AgeDetail.Band => IndexOfBand(r.AgeBand),
            AgeDetail.ChildOrAdult => WidenAgeBand(r.AgeBand) switch
            {
                Child => 10,
                Adult => 11,
                _ => 12,
            },
            _ => 20,
        };
        var sexPart = level.Sex == SexDetail.Kept ? fixedPart : fixedPart - (fixedPart % 4096) + 4095;
        return (((((long)r.Month.Year * 64) + period) * 32) + age) * (1L << 36) + sexPart;
    }

    private static int CompareContent(CaseRecord a, CaseRecord b)
    {
        var c = CompareLists(a.ExploitationForms, b.ExploitationForms);
        c = c != 0 ? c : CompareLists(a.PalermoElements, b.PalermoElements);
        c = c != 0 ? c : string.CompareOrdinal(a.FurthestStage, b.FurthestStage);
        return c != 0 ? c : string.CompareOrdinal(a.ClosureReason, b.ClosureReason);
    }

    private static int CompareLists(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    private static int IndexOfBand(string band)
    {
        for (var i = 0; i < AgeBands.Count; i++)
        {
            if (AgeBands[i] == band)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The wider band an age band falls in.</summary>
    public static string WidenAgeBand(string band) => band switch
    {
        "0-11" or "12-17" => Child,
        "18-24" or "25-34" or "35-49" or "50+" => Adult,
        _ => Unknown,
    };

    private static ReleasedCase Generalize(CaseRecord r, GeneralizationLevel level)
    {
        var period = level.Period switch
        {
            PeriodKind.Month => r.Month,
            PeriodKind.Quarter => r.Month.Parent!,
            _ => Period.WholeYear(r.Month.Year),
        };
        var age = level.Age switch
        {
            AgeDetail.Band => r.AgeBand,
            AgeDetail.ChildOrAdult => WidenAgeBand(r.AgeBand),
            _ => Any,
        };
        var sex = level.Sex == SexDetail.Kept ? r.Sex : Any;
        return new ReleasedCase(period, r.IdentificationCountry, r.Nationality, age, sex, r.ExploitationForms, r.PalermoElements, r.FurthestStage, r.ClosureReason);
    }
}

public enum AgeDetail
{
    Band,
    ChildOrAdult,
    Any,
}

public enum SexDetail
{
    Kept,
    Any,
}

/// <summary>How far each quasi-identifier is generalized at one rung of the ladder.</summary>
public sealed record GeneralizationLevel(PeriodKind Period, AgeDetail Age, SexDetail Sex);
