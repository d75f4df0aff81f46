using System.Globalization;
using System.Security.Cryptography;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// The key-encryption keys (KEKs) of every country: one ring per country (ISO 3166 alpha-2 code, or the pseudo-country
/// <see cref="Regional"/>), and optionally a default ring for countries without their own. Each ring holds one or more
/// 256-bit keys under stable ids; one is current and wraps new data keys, the others still unwrap what they wrapped.
/// </summary>
/// <remarks>
/// Immutable: <see cref="Rotate"/> returns a new ring, so a running <see cref="EnvelopeProtector"/> can be given the new
/// one without locks. Countries are data (any two letters), not a fixed list. The file format is described in
/// <see cref="KeyRingFile"/>; key material never appears in messages or <see cref="object.ToString"/>.
/// </remarks>
public sealed class KeyRing
{
    /// <summary>KEKs and data keys are AES-256 keys.</summary>
    public const int KeySize = 32;

    /// <summary>The pseudo-country of regional organizations, which have a ring like any country.</summary>
    public const string Regional = "REGIONAL";

    /// <summary>The name of the ring that serves countries without one of their own (also the prefix of its key ids).</summary>
    public const string DefaultRingName = "default";

    private readonly Dictionary<string, CountryRing> _countries;
    private readonly CountryRing? _default;

    internal KeyRing(IEnumerable<CountryRing> countries, CountryRing? defaultRing, bool isDevelopment)
    {
        _countries = countries.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _default = defaultRing;
        IsDevelopment = isDevelopment;
        Countries = [.. _countries.Keys.Order(StringComparer.Ordinal)];
        if (_countries.Count == 0 && _default is null)
        {
            throw new ArgumentException("A key ring needs a default ring, at least one country, or both.");
        }
    }

    /// <summary>True for a ring made by <see cref="GenerateDevelopment"/>: its file says "DEVELOPMENT ONLY". Production should refuse it.</summary>
    public bool IsDevelopment { get; }

    public bool HasDefault => _default is not null;

    /// <summary>The countries with a ring of their own (canonical codes, sorted); others are served by the default ring.</summary>
    public IReadOnlyList<string> Countries { get; }

    /// <summary>The id of the key that wraps new data keys of <paramref name="country"/>.</summary>
    /// <exception cref="MissingKeyException">No ring serves the country.</exception>
    public string CurrentKeyId(string country) => Serving(CountryCodes.Normalize(country)).Current.Id;

    /// <summary>The key ids of the ring serving <paramref name="country"/>, oldest first.</summary>
    /// <exception cref="MissingKeyException">No ring serves the country.</exception>
    public IReadOnlyList<string> KeyIds(string country) => [.. Serving(CountryCodes.Normalize(country)).Keys.Select(k => k.Id)];

    /// <summary>Names the rings, never a key.</summary>
    public override string ToString() =>
        $"key ring ({string.Join(", ", HasDefault ? Countries.Append(DefaultRingName) : Countries)}){(IsDevelopment ? " DEVELOPMENT ONLY" : "")}";

    /// <summary>A new ring with one fresh key for each country named and, unless told otherwise, a default ring. Not saved anywhere.</summary>
    public static KeyRing Create(IEnumerable<string>? countries = null, bool withDefault = true) =>
        Create(countries, withDefault, isDevelopment: false);

    /// <summary>Reads and checks a ring file (in production, a mounted secret).</summary>
    /// <exception cref="KeyRingException">The file is missing, unreadable or invalid; the exception lists every problem.</exception>
    public static KeyRing Load(string path) => KeyRingFile.Read(path);

    /// <summary>
    /// For the embedded profile: creates a development ring file at <paramref name="path"/> the first time (mode 0600 on
    /// Unix, marked "DEVELOPMENT ONLY"), and loads the existing file on every later call, so data sealed in an earlier
    /// run still opens. Two processes racing to create it end up with the same file.
    /// </summary>
    /// <param name="countries">Countries to give a ring of their own; every other country uses the default ring.</param>
    public static KeyRing GenerateDevelopment(string path, IEnumerable<string>? countries = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            return Load(path);
        }

        return KeyRingFile.ReadOrCreate(path, () => Create(countries, withDefault: true, isDevelopment: true));
    }

    /// <summary>
    /// Writes the ring to <paramref name="path"/> atomically (a temporary file beside it, then a rename), with mode 0600
    /// on Unix. A reader sees the old file or the new one, never half of one.
    /// </summary>
    public void Save(string path) => KeyRingFile.Write(this, path);

    /// <summary>
    /// A new ring in which <paramref name="country"/> (or, when null, every country ring and the default ring) has a fresh
    /// current key. Old keys stay, so everything they wrapped still unwraps. A country served by the default ring gets a
    /// ring of its own; its data keys wrapped under default keys still unwrap (the default ring is still searched).
    /// Pass <see cref="DefaultRingName"/> to rotate only the default ring.
    /// </summary>
    public KeyRing Rotate(string? country = null)
    {
        if (country is null)
        {
            return new KeyRing(_countries.Values.Select(r => r.WithNewCurrentKey()), _default?.WithNewCurrentKey(), IsDevelopment);
        }

        if (string.Equals(country, DefaultRingName, StringComparison.OrdinalIgnoreCase))
        {
            var newDefault = _default?.WithNewCurrentKey() ?? CountryRing.New(DefaultRingName);
            return new KeyRing(_countries.Values, newDefault, IsDevelopment);
        }

        var code = CountryCodes.Normalize(country);
        var rotated = _countries.TryGetValue(code, out var own) ? own.WithNewCurrentKey() : CountryRing.New(code);
        return new KeyRing(_countries.Values.Where(r => r.Name != code).Append(rotated), _default, IsDevelopment);
    }

    /// <summary>Loads the ring file, rotates (see <see cref="Rotate"/>) and saves it atomically. Run it from one place at a time.</summary>
    public static KeyRing RotateFile(string path, string? country = null)
    {
        var rotated = Load(path).Rotate(country);
        rotated.Save(path);
        return rotated;
    }

    internal CountryRing? DefaultRing => _default;

    internal IEnumerable<CountryRing> CountryRings => Countries.Select(c => _countries[c]);

    internal IEnumerable<KeyEncryptionKey> AllKeys =>
        CountryRings.Append(_default).OfType<CountryRing>().SelectMany(r => r.Keys);

    /// <summary>The ring that wraps new data keys of a (canonical) country: its own, else the default.</summary>
    internal CountryRing Serving(string country) =>
        _countries.GetValueOrDefault(country) ?? _default ?? throw new MissingKeyException(
            $"No key ring serves country {country}: the ring file has no ring for it and no default ring.");

    /// <summary>Finds a key that wrapped a data key of <paramref name="country"/>: in the country's ring, then in the default ring.</summary>
    internal bool TryFindKey(string country, string keyId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyEncryptionKey? key)
    {
        key = null;
        return (_countries.TryGetValue(country, out var own) && own.TryGet(keyId, out key))
            || (_default is not null && _default.TryGet(keyId, out key));
    }

    private static KeyRing Create(IEnumerable<string>? countries, bool withDefault, bool isDevelopment)
    {
        var codes = (countries ?? []).Select(CountryCodes.Normalize).Distinct(StringComparer.Ordinal).ToList();
        if (codes.Count == 0 && !withDefault)
        {
            throw new ArgumentException("A key ring needs a default ring, at least one country, or both.", nameof(countries));
        }

        return new KeyRing(codes.Select(CountryRing.New), withDefault ? CountryRing.New(DefaultRingName) : null, isDevelopment);
    }
}

/// <summary>One key-encryption key. The material sits in a pinned array, so the GC never leaves copies of it behind.</summary>
internal sealed class KeyEncryptionKey
{
    public KeyEncryptionKey(string id, ReadOnlySpan<byte> material)
    {
        if (material.Length != KeyRing.KeySize)
        {
            throw new ArgumentException($"A key is {KeyRing.KeySize} bytes.", nameof(material));
        }

        Id = id;
        Material = GC.AllocateUninitializedArray<byte>(KeyRing.KeySize, pinned: true);
        material.CopyTo(Material);
    }

    public string Id { get; }

    public byte[] Material { get; }

    public static KeyEncryptionKey New(string ringName)
    {
        Span<byte> material = stackalloc byte[KeyRing.KeySize];
        RandomNumberGenerator.Fill(material);
        try
        {
            return new KeyEncryptionKey(KeyIds.New(ringName), material);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    public override string ToString() => Id;
}

/// <summary>The keys of one country (or of the default ring), oldest first, one of them current.</summary>
internal sealed class CountryRing
{
    private readonly Dictionary<string, KeyEncryptionKey> _byId;

    public CountryRing(string name, IReadOnlyList<KeyEncryptionKey> keys, string currentId)
    {
        Name = name;
        Keys = keys;
        _byId = keys.ToDictionary(k => k.Id, StringComparer.Ordinal);
        Current = _byId.TryGetValue(currentId, out var current)
            ? current
            : throw new ArgumentException($"The current key '{currentId}' of ring {name} is not in it.", nameof(currentId));
    }

    public string Name { get; }

    public IReadOnlyList<KeyEncryptionKey> Keys { get; }

    public KeyEncryptionKey Current { get; }

    public static CountryRing New(string name)
    {
        var key = KeyEncryptionKey.New(name);
        return new CountryRing(name, [key], key.Id);
    }

    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyEncryptionKey? key) => _byId.TryGetValue(id, out key);

    public CountryRing WithNewCurrentKey()
    {
        var key = KeyEncryptionKey.New(Name);
        return new CountryRing(Name, [.. Keys, key], key.Id);
    }
}

/// <summary>Country codes as data: two letters (ISO 3166 alpha-2) or <see cref="KeyRing.Regional"/>, kept upper case.</summary>
internal static class CountryCodes
{
    public static bool TryNormalize(string? code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (code is null)
        {
            return false;
        }

        if (code.Length == 2 && char.IsAsciiLetter(code[0]) && char.IsAsciiLetter(code[1]))
        {
            normalized = code.ToUpperInvariant();
        }
        else if (string.Equals(code, KeyRing.Regional, StringComparison.OrdinalIgnoreCase))
        {
            normalized = KeyRing.Regional;
        }

        return normalized is not null;
    }

    public static string Normalize(string country) =>
        TryNormalize(country, out var normalized)
            ? normalized
            : throw new ArgumentException($"'{country}' is not a country code: expected two letters (ISO 3166 alpha-2) or {KeyRing.Regional}.", nameof(country));
}

/// <summary>Key ids such as <c>th-20261202-3f9a1c0b7e2d</c>: ring, creation date, random part. Stable once made; they travel with every wrapped key.</summary>
internal static class KeyIds
{
    public const int MaxLength = 64;

    public static string New(string ringName) =>
        $"{ringName.ToLowerInvariant()}-{DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    /// <summary>ASCII letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters.</summary>
    public static bool IsValid(string id) =>
        id.Length is > 0 and <= MaxLength
        && char.IsAsciiLetterOrDigit(id[0])
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
