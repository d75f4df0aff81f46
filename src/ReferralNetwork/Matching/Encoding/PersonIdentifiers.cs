using ReferralNetwork.Contracts;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// A date of birth as far as it is known: often only the year (an age estimated at identification), sometimes
/// year and month.
/// </summary>
public readonly record struct PartialDate
{
    public PartialDate(int year, int? month = null, int? day = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1900);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 2200);
        if (month is not null and not (>= 1 and <= 12))
        {
            throw new ArgumentOutOfRangeException(nameof(month));
        }

        if (day is not null && (month is null || day < 1 || day > DateTime.DaysInMonth(year, month.Value)))
        {
            throw new ArgumentOutOfRangeException(nameof(day));
        }

        Year = year;
        Month = month;
        Day = day;
    }

    public int Year { get; }

    public int? Month { get; }

    public int? Day { get; }

    public static PartialDate From(DateOnly date) => new(date.Year, date.Month, date.Day);

    public override string ToString() => $"{Year:D4}-{(Month is { } m ? m.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) : "??")}-{(Day is { } d ? d.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) : "??")}";
}

/// <summary>What the encoder reads: the names as recorded (any script), the date of birth as known, the sex.</summary>
public sealed record PersonIdentifiers(string? GivenName, string? FamilyName, PartialDate? DateOfBirth, Sex Sex);

/// <summary>
/// The only thing that leaves a silo: the 1,024 bits, the id of the network key they were made with (an index
/// holds one key's encodings; rotation re-encodes) and the version of the feature scheme.
/// </summary>
public sealed record PersonEncoding(string KeyId, int Scheme, Clk1024 Bits)
{
    public double Dice(PersonEncoding other)
    {
        if (other.KeyId != KeyId || other.Scheme != Scheme)
        {
            throw new ArgumentException($"Encodings of key {KeyId} (scheme {Scheme}) and {other.KeyId} (scheme {other.Scheme}) cannot be compared.", nameof(other));
        }

        return Clk1024.Dice(Bits, other.Bits);
    }
}
