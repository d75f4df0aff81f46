namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// How many of the 1,024 bits each feature sets, which is how much each field weighs in the Dice coefficient.
/// Changing any of them changes every encoding, so a non-default set must carry its own <see cref="Scheme"/>
/// number and the network re-encodes. The defaults are the ones measured in docs/matching.md.
/// </summary>
public sealed record ClkParameters
{
    public static ClkParameters Default { get; } = new();

    /// <summary>Stamped on every encoding; encodings of different schemes are never compared.</summary>
    public int Scheme { get; init; } = 1;

    /// <summary>Bits per bigram of the given name(s) on their own.</summary>
    public int GivenNameBits { get; init; } = 2;

    /// <summary>Bits per bigram of the family name on its own.</summary>
    public int FamilyNameBits { get; init; } = 2;

    /// <summary>
    /// Bits per bigram of the whole name read family-first and given-first: the feature that survives a swapped
    /// order or a name put in the wrong field, so it carries most of the name's weight.
    /// </summary>
    public int FullNameBits { get; init; } = 10;

    /// <summary>Bits for the year of birth: all a year-only record has, and shared with everyone born that year.</summary>
    public int YearBits { get; init; } = 30;

    /// <summary>
    /// Bits for each of two tilings of the years into two-year windows, offset by a year: an age estimated a year
    /// off still shares one.
    /// </summary>
    public int YearWindowBits { get; init; } = 15;

    /// <summary>Bits for year and month together.</summary>
    public int MonthBits { get; init; } = 30;

    /// <summary>
    /// Bits for each day-level token: the exact date, two tilings of the calendar into two-day windows and three
    /// into three-day windows. Dates a day apart share three of the six, two days apart one, further apart none;
    /// so a date a day off scores well above a stranger born the same month.
    /// </summary>
    public int DayBits { get; init; } = 15;

    /// <summary>Bits for the year with the unordered day–month pair: survives day and month swapped (03-04 / 04-03).</summary>
    public int SwappedDayMonthBits { get; init; } = 40;

    public int SexBits { get; init; } = 15;

    /// <summary>
    /// The Dice coefficient from which a pair is put to a person as a possible duplicate, chosen on the benchmark
    /// (docs/matching.md) for these weights. Not part of the encoding: changing it needs no re-encoding.
    /// </summary>
    public double MatchThreshold { get; init; } = 0.9;

    /// <summary>Whether <see cref="NameNormalizer.Fold"/> is applied to names before the bigrams are taken.</summary>
    public bool PhoneticFolding { get; init; } = true;

    internal void Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(GivenNameBits), GivenNameBits), (nameof(FamilyNameBits), FamilyNameBits),
            (nameof(FullNameBits), FullNameBits), (nameof(YearBits), YearBits), (nameof(YearWindowBits), YearWindowBits),
            (nameof(MonthBits), MonthBits), (nameof(DayBits), DayBits), (nameof(SwappedDayMonthBits), SwappedDayMonthBits),
            (nameof(SexBits), SexBits),
        })
        {
            if (value is < 0 or > ClkEncoder.MaxBitsPerFeature)
            {
                throw new ArgumentOutOfRangeException(name, value, $"Between 0 and {ClkEncoder.MaxBitsPerFeature} bits per feature.");
            }
        }
    }
}
