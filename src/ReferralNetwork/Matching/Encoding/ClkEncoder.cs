using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ReferralNetwork.Contracts;

namespace ReferralNetwork.Matching.Encoding;

/// <summary>
/// Encodes a person's identifiers as one 1,024-bit CLK Bloom filter (Schnell, Bachteler and Reiher 2009–2011, as in
/// clkhash): every feature — a bigram of a name, a token of the date of birth, the sex — sets a fixed number of
/// bits chosen by HMAC-SHA256 under a key derived from the network key, and all of them go into the same filter.
/// Only the filter leaves: no field is hashed on its own, so no output equals a hash of a name or a date.
/// <para>
/// Bit positions are taken as 10-bit slices of the HMAC output ("random hashing") rather than by double hashing
/// h1 + i·h2: double hashing puts each feature's bits in an arithmetic progression, which is what lets the
/// pattern-mining attack of Niedermeyer et al. (2014) recover bigrams without the key.
/// </para>
/// Thread-safe. The key stays in this object (and in a cache of bit positions per feature, which is as secret as
/// the key); dispose it to clear both.
/// </summary>
public sealed class ClkEncoder : IDisposable
{
    public const int MaxBitsPerFeature = 48;

    // Separates this key's use from any other use of the network key (HKDF "info").
    private static readonly byte[] Purpose = "ReferralNetwork matching CLK v1"u8.ToArray();
    private const int CacheLimit = 500_000;

    private readonly byte[] _key;
    private readonly ClkParameters _parameters;
    private readonly ConcurrentDictionary<string, ushort[]> _positions = new(StringComparer.Ordinal);
    private readonly ThreadLocal<IncrementalHash> _hmac;
    private bool _disposed;

    /// <param name="networkKey">The network's matching secret, at least 32 bytes (see docs/matching.md on who holds it).</param>
    /// <param name="keyId">Stamped on every encoding so that an index never mixes keys.</param>
    public ClkEncoder(ReadOnlySpan<byte> networkKey, string keyId, ClkParameters? parameters = null)
    {
        if (networkKey.Length < 32)
        {
            throw new ArgumentException("The network key must be at least 32 bytes.", nameof(networkKey));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        _parameters = parameters ?? ClkParameters.Default;
        _parameters.Validate();
        KeyId = keyId;
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, networkKey.ToArray(), 32, salt: [], info: Purpose);
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key), trackAllValues: true);
    }

    public string KeyId { get; }

    public ClkParameters Parameters => _parameters;

    public PersonEncoding Encode(PersonIdentifiers person)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var bits = default(Clk1024);
        foreach (var (feature, count) in Features(person, _parameters))
        {
            if (count == 0)
            {
                continue;
            }

            var positions = Positions(feature, count);
            for (var i = 0; i < count; i++)
            {
                bits.Set(positions[i]);
            }
        }

        return new PersonEncoding(KeyId, _parameters.Scheme, bits);
    }

    /// <summary>
    /// The features of a person with the bits each sets. Internal so that tests can see what is encoded;
    /// they never leave the process.
    /// </summary>
    internal static IEnumerable<(string Feature, int Bits)> Features(PersonIdentifiers person, ClkParameters parameters)
    {
        var given = NameNormalizer.Normalize(person.GivenName, NameField.Given);
        var family = NameNormalizer.Normalize(person.FamilyName, NameField.Family);
        if (parameters.PhoneticFolding)
        {
            given = NameNormalizer.Fold(given);
            family = NameNormalizer.Fold(family);
        }

        // Spaces inside a field are dropped: "Srey Mom" and "Sreymom", "Thi Da" and "Thida" are written both ways.
        given = given.Replace(" ", "", StringComparison.Ordinal);
        family = family.Replace(" ", "", StringComparison.Ordinal);

        foreach (var bigram in Bigrams(given))
        {
            yield return ("g" + bigram, parameters.GivenNameBits);
        }

        foreach (var bigram in Bigrams(family))
        {
            yield return ("f" + bigram, parameters.FamilyNameBits);
        }

        // The whole name in both orders: VN, KH and MM put the family name first, forms abroad put it last, and
        // names land in the wrong field; the union of both readings is the same whichever order was recorded.
        var full = new HashSet<string>(StringComparer.Ordinal);
        full.UnionWith(Bigrams(family + given));
        full.UnionWith(Bigrams(given + family));
        foreach (var bigram in full)
        {
            yield return ("n" + bigram, parameters.FullNameBits);
        }

        if (person.DateOfBirth is { } dob)
        {
            foreach (var token in DateTokens(dob, parameters))
            {
                yield return token;
            }
        }

        var sex = person.Sex switch
        {
            Sex.Female => "f",
            Sex.Male => "m",
            Sex.Other => "o",
            _ => null,
        };
        if (sex is not null)
        {
            yield return ("s" + sex, parameters.SexBits);
        }
    }

    /// <summary>Distinct bigrams of a word padded with "_" at both ends ("lan" → _l la an n_).</summary>
    internal static IEnumerable<string> Bigrams(string word)
    {
        if (word.Length == 0)
        {
            return [];
        }

        var padded = "_" + word + "_";
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < padded.Length; i++)
        {
            set.Add(padded.Substring(i, 2));
        }

        return set;
    }

    /// <summary>
    /// Tokens of a date of birth chosen so that the common errors still share some, each weighted by its level
    /// (see <see cref="ClkParameters"/>): the year and two tilings into two-year windows; year and month; the exact
    /// date and five day windows (two tilings of two days, three of three days); the year with the unordered
    /// day–month pair. Month or day alone are not tokens: shared across years they say little and add noise.
    /// </summary>
    internal static IEnumerable<(string Token, int Bits)> DateTokens(PartialDate date, ClkParameters parameters)
    {
        var y = date.Year;
        yield return (I($"dy{y}"), parameters.YearBits);
        yield return (I($"dya{y >> 1}"), parameters.YearWindowBits);
        yield return (I($"dyb{(y + 1) >> 1}"), parameters.YearWindowBits);
        if (date.Month is not { } m)
        {
            yield break;
        }

        yield return (I($"dym{y}-{m}"), parameters.MonthBits);
        if (date.Day is not { } d)
        {
            yield break;
        }

        var day = new DateOnly(y, m, d).DayNumber;
        yield return (I($"dd{day}"), parameters.DayBits);
        yield return (I($"dw2a{day / 2}"), parameters.DayBits);
        yield return (I($"dw2b{(day + 1) / 2}"), parameters.DayBits);
        yield return (I($"dw3a{day / 3}"), parameters.DayBits);
        yield return (I($"dw3b{(day + 1) / 3}"), parameters.DayBits);
        yield return (I($"dw3c{(day + 2) / 3}"), parameters.DayBits);
        var (low, high) = m < d ? (m, d) : (d, m);
        yield return (I($"dyu{y}-{low}-{high}"), parameters.SwappedDayMonthBits);
    }

    private static string I(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private ushort[] Positions(string feature, int count)
    {
        if (_positions.TryGetValue(feature, out var cached))
        {
            return cached;
        }

        // A feature's tag fixes its bit count, so caching exactly the positions it needs is enough.
        var blocks = (count + 15) / 16;
        var positions = new ushort[blocks * 16];
        var hmac = _hmac.Value!;
        Span<byte> input = stackalloc byte[System.Text.Encoding.UTF8.GetMaxByteCount(feature.Length) + 1];
        var length = System.Text.Encoding.UTF8.GetBytes(feature, input);
        Span<byte> block = stackalloc byte[32];
        for (var b = 0; b < blocks; b++)
        {
            // Block b is HMAC(feature ‖ b): 32 bytes, sixteen positions of 10 bits each.
            input[length] = (byte)b;
            hmac.AppendData(input[..(length + 1)]);
            hmac.GetHashAndReset(block);
            for (var j = 0; j < 16; j++)
            {
                positions[b * 16 + j] = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(block[(j * 2)..]) & (Clk1024.Bits - 1));
            }
        }

        if (_positions.Count < CacheLimit)
        {
            _positions.TryAdd(feature, positions);
        }

        return positions;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        _positions.Clear();
        foreach (var hmac in _hmac.Values)
        {
            hmac.Dispose();
        }

        _hmac.Dispose();
    }
}
