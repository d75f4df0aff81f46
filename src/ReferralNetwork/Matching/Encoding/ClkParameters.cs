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
    public int GivenNameBits { get; init; } = 4;

    /// <summary>Bits per bigram of the family name on its own.</summary>
    public int FamilyNameBits { get; init; } = 3;

    /// <summary>
    /// Bits per bigram of the whole name read family-first and given-first: the feature that survives a swapped
    /// order or a name put in the wrong field, so it carries most of the name's weight.
    /// </summary>
    public int FullNameBits { get; init; } = 10;

    /// <summary>Bits per date-of-birth token (year, month, day, their pairs, two-day windows…).</summary>
    public int DateBits { get; init; } = 10;

    public int SexBits { get; init; } = 15;

    /// <summary>Whether <see cref="NameNormalizer.Fold"/> is applied to names before the bigrams are taken.</summary>
    public bool PhoneticFolding { get; init; } = true;

    internal void Validate()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(GivenNameBits), GivenNameBits), (nameof(FamilyNameBits), FamilyNameBits),
            (nameof(FullNameBits), FullNameBits), (nameof(DateBits), DateBits), (nameof(SexBits), SexBits),
        })
        {
            if (value is < 0 or > ClkEncoder.MaxBitsPerFeature)
            {
                throw new ArgumentOutOfRangeException(name, value, $"Between 0 and {ClkEncoder.MaxBitsPerFeature} bits per feature.");
            }
        }
    }
}
