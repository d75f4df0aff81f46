using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace ReferralNetwork.Storage.Protection;

/// <summary>
/// The key ring file: JSON, UTF-8.
/// <code>
/// {
///   "version": 1,
///   "development": true,                               // optional; only in generated development files
///   "warning": "DEVELOPMENT ONLY: ...",                 // optional, free text
///   "default": {                                        // optional: serves countries without a ring of their own
///     "current": "default-20261202-9c1d…",
///     "keys": { "default-20261202-9c1d…": "&lt;base64 of 32 bytes&gt;" }
///   },
///   "countries": {                                      // optional: ISO 3166 alpha-2 codes or REGIONAL
///     "TH": {
///       "current": "th-20270301-77ab…",
///       "keys": {
///         "th-20261202-3f9a…": "&lt;base64 of 32 bytes&gt;",   // older keys stay: they unwrap what they wrapped
///         "th-20270301-77ab…": "&lt;base64 of 32 bytes&gt;"
///       }
///     }
///   }
/// }
/// </code>
/// At least one ring (default or country) is required; each ring needs a non-empty "keys" and a "current" that is one
/// of them; every key is exactly 32 bytes; a key id (letters, digits, '.', '_', '-', at most 64) and a key's bytes
/// appear once in the whole file. Comments and trailing commas are tolerated; unknown properties are refused (they are
/// usually typos). Key order within "keys" is kept, oldest first by convention.
/// </summary>
internal static class KeyRingFile
{
    public const int Version = 1;

    public const string DevelopmentWarning =
        "DEVELOPMENT ONLY: generated for the embedded profile on this machine. These keys protect nothing that matters; " +
        "never use this file, or data sealed under it, in production.";

    private static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static KeyRing Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KeyRingException(path, [
                "the file does not exist. In production, mount the key ring secret at this path; " +
                "in the embedded profile, KeyRing.GenerateDevelopment creates one."]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyRingException(path, [$"the file cannot be read: {e.Message}"]);
        }

        try
        {
            return Parse(content, path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    public static KeyRing Parse(ReadOnlyMemory<byte> json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, ReadOptions);
        }
        catch (JsonException e)
        {
            // Only the position: the parser's own message quotes the offending character, which may be key material.
            throw new KeyRingException(source, [$"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line)."]);
        }

        using (document)
        {
            var problems = new List<string>();
            var ring = Parse(document.RootElement, problems);
            return problems.Count == 0 && ring is not null ? ring : throw new KeyRingException(source, problems);
        }
    }

    public static void Write(KeyRing ring, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temporary = WriteTemporary(ring, path);
        try
        {
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// The ring at <paramref name="path"/>, made by <paramref name="create"/> and written there if there is none yet.
    /// Writers racing (processes or threads) take turns on a lock file beside it, so exactly one ring is written and
    /// every caller gets that one. (A move that refuses to overwrite is not enough: on Unix .NET checks and then
    /// renames, and two writers can both pass the check.)
    /// </summary>
    public static KeyRing ReadOrCreate(string path, Func<KeyRing> create)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        using (TakeTurn(path + ".lock"))
        {
            if (File.Exists(path))
            {
                return Read(path);
            }

            var ring = create();
            Write(ring, path);
            return ring;
        }
    }

    private static FileStream TakeTurn(string lockPath)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive lock on the open file, across processes too. The (empty) lock file stays:
                // deleting it while another writer waits on it would let a third one lock a new file at the same time.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < TimeSpan.FromMinutes(1))
            {
                Thread.Sleep(10);
            }
        }
    }

    private static string WriteTemporary(KeyRing ring, string path)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            Serialize(ring, buffer);
            using var stream = new FileStream(temporary, options);
            stream.Write(buffer.WrittenSpan);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        finally
        {
            buffer.Clear(); // zeroes what was written: the base64 of every key
        }

        return temporary;
    }

    private static void Serialize(KeyRing ring, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteNumber("version", Version);
        if (ring.IsDevelopment)
        {
            writer.WriteBoolean("development", true);
            writer.WriteString("warning", DevelopmentWarning);
        }

        if (ring.DefaultRing is { } defaultRing)
        {
            writer.WritePropertyName("default");
            WriteRing(writer, defaultRing);
        }

        writer.WriteStartObject("countries");
        foreach (var country in ring.CountryRings)
        {
            writer.WritePropertyName(country.Name);
            WriteRing(writer, country);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRing(Utf8JsonWriter writer, CountryRing ring)
    {
        writer.WriteStartObject();
        writer.WriteString("current", ring.Current.Id);
        writer.WriteStartObject("keys");
        foreach (var key in ring.Keys)
        {
            writer.WriteBase64String(key.Id, key.Material);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static KeyRing? Parse(JsonElement root, List<string> problems)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add("the file must hold a JSON object with \"version\" and \"default\" and/or \"countries\".");
            return null;
        }

        var seen = new Seen();
        int? version = null;
        var development = false;
        CountryRing? defaultRing = null;
        var countries = new List<CountryRing>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                problems.Add($"\"{property.Name}\" appears more than once.");
                continue;
            }

            switch (property.Name)
            {
                case "version":
                    version = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var v) ? v : -1;
                    break;
                case "development":
                    if (property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        development = property.Value.GetBoolean();
                    }
                    else
                    {
                        problems.Add("\"development\" must be true or false.");
                    }

                    break;
                case "warning":
                    break;
                case "default":
                    defaultRing = ParseRing(property.Value, KeyRing.DefaultRingName, "default", problems, seen);
                    break;
                case "countries":
                    ParseCountries(property.Value, countries, problems, seen);
                    break;
                default:
                    problems.Add($"unknown property \"{property.Name}\" (expected version, development, warning, default, countries).");
                    break;
            }
        }

        if (version is null)
        {
            problems.Add($"\"version\" is missing: this reader knows version {Version}.");
        }
        else if (version != Version)
        {
            problems.Add($"\"version\" must be {Version} (the only version this reader knows).");
        }

        var declaresRing = root.TryGetProperty("default", out _)
            || (root.TryGetProperty("countries", out var declared) && declared.ValueKind == JsonValueKind.Object && declared.EnumerateObject().Any());
        if (!declaresRing)
        {
            problems.Add("the file holds no ring: give a \"default\" ring, \"countries\", or both.");
        }

        return problems.Count == 0 ? new KeyRing(countries, defaultRing, development) : null;
    }

    private static void ParseCountries(JsonElement element, List<CountryRing> countries, List<string> problems, Seen seen)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add("\"countries\" must be an object of country code to ring.");
            return;
        }

        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var path = $"countries.{property.Name}";
            if (!CountryCodes.TryNormalize(property.Name, out var code))
            {
                problems.Add($"{path}: \"{property.Name}\" is not a country code (two letters, ISO 3166 alpha-2, or {KeyRing.Regional}).");
                continue;
            }

            if (!codes.Add(code))
            {
                problems.Add($"{path}: country {code} has more than one ring.");
                continue;
            }

            if (ParseRing(property.Value, code, path, problems, seen) is { } ring)
            {
                countries.Add(ring);
            }
        }
    }

    private static CountryRing? ParseRing(JsonElement element, string name, string path, List<string> problems, Seen seen)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}: must be an object with \"current\" and \"keys\".");
            return null;
        }

        var before = problems.Count;
        string? current = null;
        var keys = new List<KeyEncryptionKey>();
        var hasKeys = false;
        var declaredIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "current" when current is null && property.Value.ValueKind == JsonValueKind.String:
                    current = property.Value.GetString();
                    break;
                case "current":
                    problems.Add($"{path}.current: must be a key id, given once.");
                    break;
                case "keys" when !hasKeys && property.Value.ValueKind == JsonValueKind.Object:
                    hasKeys = true;
                    declaredIds.UnionWith(property.Value.EnumerateObject().Select(k => k.Name));
                    ParseKeys(property.Value, $"{path}.keys", keys, problems, seen);
                    break;
                case "keys":
                    problems.Add($"{path}.keys: must be an object of key id to base64 key, given once.");
                    break;
                default:
                    problems.Add($"{path}: unknown property \"{property.Name}\" (expected current, keys).");
                    break;
            }
        }

        if (!hasKeys)
        {
            problems.Add($"{path}.keys is missing.");
        }
        else if (declaredIds.Count == 0)
        {
            problems.Add($"{path}.keys is empty: a ring needs at least one key.");
        }

        if (current is null)
        {
            problems.Add($"{path}.current is missing: name the key that wraps new data keys.");
        }
        else if (hasKeys && !declaredIds.Contains(current))
        {
            problems.Add($"{path}.current: key '{current}' is not in {path}.keys.");
        }

        return problems.Count == before ? new CountryRing(name, keys, current!) : null;
    }

    private static void ParseKeys(JsonElement element, string path, List<KeyEncryptionKey> keys, List<string> problems, Seen seen)
    {
        foreach (var property in element.EnumerateObject())
        {
            var id = property.Name;
            if (!KeyIds.IsValid(id))
            {
                problems.Add($"{path}: key id '{Printable(id)}' is not valid (letters, digits, '.', '_', '-', at most {KeyIds.MaxLength}).");
                continue;
            }

            if (!seen.Ids.Add(id))
            {
                problems.Add($"{path}.{id}: the key id appears more than once in the file; key ids must be unique.");
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.String || !property.Value.TryGetBytesFromBase64(out var material))
            {
                problems.Add($"{path}.{id}: not a base64 string.");
                continue;
            }

            try
            {
                if (material.Length != KeyRing.KeySize)
                {
                    problems.Add($"{path}.{id}: the key is {material.Length} bytes; keys must be {KeyRing.KeySize} bytes (256 bits).");
                }
                else if (!material.AsSpan().ContainsAnyExcept((byte)0))
                {
                    problems.Add($"{path}.{id}: the key is all zeros.");
                }
                else if (seen.Keys.Find(k => CryptographicOperations.FixedTimeEquals(k.Material, material)) is { } twin)
                {
                    problems.Add($"{path}.{id}: the same key bytes as key '{twin.Id}'; every key must be generated separately.");
                }
                else
                {
                    var key = new KeyEncryptionKey(id, material);
                    keys.Add(key);
                    seen.Keys.Add(key);
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(material);
            }
        }
    }

    private static string Printable(string value) =>
        string.Concat(value.Take(KeyIds.MaxLength).Select(Safe)) + (value.Length > KeyIds.MaxLength ? "…" : "");

    private static char Safe(char c) => char.IsControl(c) ? '?' : c;

    private sealed class Seen
    {
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public List<KeyEncryptionKey> Keys { get; } = [];
    }
}
