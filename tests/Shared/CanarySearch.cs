using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace ReferralNetwork.Testing;

/// <summary>One place a canary was found: which canary, in which spelling and encoding, where, at which offset.</summary>
public sealed record CanaryHit(string Canary, string Needle, string Encoding, string Source, long Offset, string Context);

/// <summary>What the search looked at: without it, a search that found nothing could have searched nothing.</summary>
public sealed record SearchedSource(string Kind, string Source, long Length);

/// <summary>
/// Searches bytes for canaries: files, folders, the rows of SQLite databases, PostgreSQL dumps and their rows,
/// or any bytes a test has (captured logs and bus messages, a webhook body, an export, a page, browser storage).
/// One copy for the unit and the end-to-end tests (tests/Shared), so both search the same way. Each canary
/// text is searched as UTF-8 and UTF-16 (ASCII letters case-insensitively, so that a normalized copy is found
/// too) and as base64 and base64url at each of the three alignments a value can have inside an encoded blob;
/// binary forms are searched as they are. Sources are searched as they are added, and only their hits are kept.
/// </summary>
public sealed partial class CanarySearch
{
    private const int ContextBytes = 32;

    private readonly List<Pattern> _patterns = [];
    private readonly List<CanaryHit> _hits = [];
    private readonly List<SearchedSource> _searched = [];
    private readonly Lock _lock = new();

    public CanarySearch(IEnumerable<Canary> canaries)
    {
        Canaries = [.. canaries];
        foreach (var canary in Canaries)
        {
            foreach (var text in canary.Texts)
            {
                if (text.Length < 8 || !Ascii.IsValid(text))
                {
                    // Short needles match by chance; the encodings below assume one byte per character.
                    throw new ArgumentException($"Canary {canary.Name}: '{text}' should be ASCII of at least 8 characters.", nameof(canaries));
                }

                var utf8 = Encoding.UTF8.GetBytes(text.ToLowerInvariant());
                _patterns.Add(new Pattern(canary.Name, text, "utf-8", utf8, IgnoreCase: true));
                _patterns.Add(new Pattern(canary.Name, text, "utf-16le", Encoding.Unicode.GetBytes(text.ToLowerInvariant()), IgnoreCase: true));
                _patterns.Add(new Pattern(canary.Name, text, "utf-16be", Encoding.BigEndianUnicode.GetBytes(text.ToLowerInvariant()), IgnoreCase: true));
                for (var alignment = 0; alignment < 3; alignment++)
                {
                    var core = Base64Core(Encoding.UTF8.GetBytes(text), alignment);
                    _patterns.Add(new Pattern(canary.Name, text, $"base64@{alignment}", Encoding.ASCII.GetBytes(core), IgnoreCase: false));
                    var url = core.Replace('+', '-').Replace('/', '_');
                    if (url != core)
                    {
                        _patterns.Add(new Pattern(canary.Name, text, $"base64url@{alignment}", Encoding.ASCII.GetBytes(url), IgnoreCase: false));
                    }
                }
            }

            foreach (var binary in canary.Binary)
            {
                _patterns.Add(new Pattern(canary.Name, Convert.ToHexString(binary.Bytes), binary.Form, binary.Bytes, IgnoreCase: false));
            }
        }
    }

    public IReadOnlyList<Canary> Canaries { get; }

    public IReadOnlyList<CanaryHit> Hits
    {
        get
        {
            lock (_lock)
            {
                return [.. _hits];
            }
        }
    }

    public IReadOnlyList<SearchedSource> Searched
    {
        get
        {
            lock (_lock)
            {
                return [.. _searched];
            }
        }
    }

    /// <summary>
    /// The characters of base64 that depend on <paramref name="value"/> alone when it starts at
    /// <paramref name="alignment"/> (0, 1 or 2) bytes into a 3-byte group: the characters shared with the
    /// neighbouring bytes, at both ends, are cut off.
    /// </summary>
    public static string Base64Core(byte[] value, int alignment)
    {
        var data = new byte[alignment + value.Length];
        value.CopyTo(data, alignment);
        var complete = data.Length / 3 * 3;
        return Convert.ToBase64String(data, 0, complete)[(alignment switch { 0 => 0, 1 => 2, _ => 3 })..];
    }

    /// <summary>
    /// A short binary form (a date with its field header is 5 bytes: 40 bits) could still occur by chance in the
    /// megabytes of ciphertext a run writes, searched in several copies; a serializer that wrote it in plain text wrote it
    /// among field headers, lengths and other plain values. So a short binary hit counts unless the bytes on both sides
    /// of it look random: at least 52 distinct values among the 64 around it (random bytes give about 56; serialized
    /// state far fewer).
    /// </summary>
    private static bool IsChance(Pattern pattern, ReadOnlySpan<byte> bytes, int offset)
    {
        if (pattern.Bytes.Length >= 8 || pattern.IgnoreCase)
        {
            return false;
        }

        var before = bytes[Math.Max(0, offset - 32)..offset];
        var after = bytes[(offset + pattern.Bytes.Length)..Math.Min(bytes.Length, offset + pattern.Bytes.Length + 32)];
        if (before.Length + after.Length < 64)
        {
            return false;
        }

        Span<bool> seen = stackalloc bool[256];
        var distinct = 0;
        foreach (var b in before)
        {
            distinct += seen[b] ? 0 : 1;
            seen[b] = true;
        }

        foreach (var b in after)
        {
            distinct += seen[b] ? 0 : 1;
            seen[b] = true;
        }

        return distinct >= 52;
    }

    public void AddBytes(string kind, string source, ReadOnlySpan<byte> bytes)
    {
        // ASCII letters lowered, every other byte kept: a case-insensitive search of UTF-8 and UTF-16 at once.
        var lowered = bytes.ToArray();
        for (var i = 0; i < lowered.Length; i++)
        {
            if (lowered[i] is >= (byte)'A' and <= (byte)'Z')
            {
                lowered[i] |= 0x20;
            }
        }

        var hits = new List<CanaryHit>();
        foreach (var pattern in _patterns)
        {
            ReadOnlySpan<byte> haystack = pattern.IgnoreCase ? lowered : bytes;
            var start = 0;
            while (start <= haystack.Length - pattern.Bytes.Length)
            {
                var found = haystack[start..].IndexOf(pattern.Bytes);
                if (found < 0)
                {
                    break;
                }

                var offset = start + found;
                if (!IsChance(pattern, bytes, offset))
                {
                    hits.Add(new CanaryHit(pattern.Canary, pattern.Needle, pattern.Encoding, source, offset, Around(bytes, offset, pattern.Bytes.Length)));
                }

                start = offset + 1;
            }
        }

        lock (_lock)
        {
            _searched.Add(new SearchedSource(kind, source, bytes.Length));
            _hits.AddRange(hits);
        }
    }

    public void AddText(string kind, string source, string text) => AddBytes(kind, source, Encoding.UTF8.GetBytes(text));

    /// <summary>A file as it is on disk now, also while the platform still writes it.</summary>
    public void AddFile(string path, string source)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        catch (FileNotFoundException)
        {
            // A WAL or journal that SQLite removed between listing and reading: nothing left to read.
            return;
        }

        AddBytes("file", source, bytes);
    }

    /// <summary>Every file under <paramref name="folder"/>, recursively; sources are named <c>{label}/{relative path}</c>.</summary>
    public int AddFolder(string folder, string label)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            AddFile(file, $"{label}/{Path.GetRelativePath(folder, file).Replace('\\', '/')}");
        }

        return files.Count;
    }

    /// <summary>
    /// Every cell of every table of a SQLite database (read from a copy, its WAL included), so that a hit is
    /// named by table, column and row. The raw file search stays the authority: it also sees free pages and
    /// old page versions in the WAL, which no query returns.
    /// </summary>
    public int AddSqliteRows(string databasePath, string label)
    {
        var copy = Directory.CreateTempSubdirectory("canary-sqlite-");
        try
        {
            return AddSqliteCopyRows(databasePath, Path.Combine(copy.FullName, Path.GetFileName(databasePath)), label);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A plain-format <c>pg_dump</c> (<paramref name="dump"/>): searched as it is, every statement and COPY line, then
    /// cell by cell, each COPY field unescaped and each bytea (which the dump writes as hex, where no spelling of a
    /// canary shows) decoded to the bytes PostgreSQL holds, sealed payloads included; a hit there is named by table,
    /// column and row. The dump is the authority for what the rows hold: PostgreSQL compresses large values in its
    /// own files, where a search of the raw bytes would see nothing. Answers how many cells were searched.
    /// </summary>
    public int AddPostgresDump(byte[] dump, string label)
    {
        AddBytes("dump", label, dump);
        var cells = 0;
        (string Table, string[] Columns)? copy = null;
        var row = 0;
        var start = 0;
        while (start < dump.Length)
        {
            var end = Array.IndexOf(dump, (byte)'\n', start);
            end = end < 0 ? dump.Length : end;
            var line = dump.AsSpan(start, end - start);
            start = end + 1;
            if (copy is not { } block)
            {
                if (line.StartsWith("COPY "u8) && CopyHeader().Match(Encoding.UTF8.GetString(line)) is { Success: true } header)
                {
                    copy = (Unquote(header.Groups["table"].Value), [.. header.Groups["columns"].Value.Split(", ").Select(Unquote)]);
                    row = 0;
                }

                continue;
            }

            if (line.SequenceEqual("\\."u8))
            {
                copy = null;
                continue;
            }

            row++;
            var fields = new List<byte[]?>();
            foreach (var field in line.Split((byte)'\t'))
            {
                fields.Add(CopyField(line[field]));
            }

            var key = string.Join(", ", fields.Select((f, i) => (f, i))
                .Where(x => x.f is { Length: > 0 and <= 64 } && !IsHexBytea(x.f) && Ascii.IsValid(x.f))
                .Take(3)
                .Select(x => $"{block.Columns.ElementAtOrDefault(x.i)}={Encoding.ASCII.GetString(x.f!)}"));
            for (var i = 0; i < fields.Count; i++)
            {
                if (fields[i] is not { } value)
                {
                    continue;
                }

                cells++;
                AddBytes("row", $"{label} » {block.Table}.{block.Columns.ElementAtOrDefault(i)} (row {row}: {key})", IsHexBytea(value) ? Convert.FromHexString(Encoding.ASCII.GetString(value, 2, value.Length - 2)) : value);
            }
        }

        return cells;
    }

    /// <summary>Every hit, grouped by canary, then by source and encoding, with offsets and one context each.</summary>
    public string Report()
    {
        var hits = Hits;
        var searched = Searched;
        var report = new StringBuilder();
        var kinds = string.Join(", ", searched.GroupBy(s => s.Kind).Select(g => Invariant($"{g.Count()} {g.Key}(s), {g.Sum(s => s.Length)} bytes")));
        report.AppendLine(Invariant(
            $"{hits.Count} hit(s) of {hits.Select(h => h.Canary).Distinct().Count()} of {Canaries.Count} canaries, in {searched.Count} sources ({kinds})."));
        report.Append("Files: ").AppendLine(string.Join(", ", searched.Where(s => s.Kind == "file").Select(s => Invariant($"{s.Source} ({s.Length} bytes)"))));
        foreach (var canary in Canaries)
        {
            var mine = hits.Where(h => h.Canary == canary.Name).ToList();
            if (mine.Count == 0)
            {
                continue;
            }

            report.AppendLine().AppendLine($"{canary.Name} ({canary.Value}):");
            foreach (var group in mine.GroupBy(h => (h.Source, h.Encoding, h.Needle)))
            {
                var offsets = group.Select(h => h.Offset).ToList();
                report.Append("  ").Append(group.Key.Source).Append(" [").Append(group.Key.Encoding).Append(" '").Append(group.Key.Needle).Append("'] at ")
                    .Append(string.Join(", ", offsets.Take(5)))
                    .Append(offsets.Count > 5 ? $" and {offsets.Count - 5} more" : "")
                    .Append(": ").AppendLine(group.First().Context);
            }
        }

        return report.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The bytes around a hit, printable ASCII as is and everything else as '.', so that the report shows where it sits.</summary>
    private static string Around(ReadOnlySpan<byte> bytes, int offset, int length)
    {
        var from = Math.Max(0, offset - ContextBytes);
        var to = Math.Min(bytes.Length, offset + length + ContextBytes);
        var text = new StringBuilder("«");
        foreach (var b in bytes[from..to])
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        return text.Append('»').ToString();
    }

    /// <summary>The rows of the copy at <paramref name="target"/> of <paramref name="databasePath"/> and its WAL.</summary>
    private int AddSqliteCopyRows(string databasePath, string target, string label)
    {
        foreach (var suffix in new[] { "", "-wal" })
        {
            if (File.Exists(databasePath + suffix))
            {
                using var from = new FileStream(databasePath + suffix, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var to = File.Create(target + suffix);
                from.CopyTo(to);
            }
        }

        var cells = 0;
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString()))
        {
            connection.Open();
            var tables = new List<string>();
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            foreach (var table in tables)
            {
                using var select = connection.CreateCommand();
                select.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
                using var reader = select.ExecuteReader();
                var row = 0;
                while (reader.Read())
                {
                    row++;
                    var values = Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToList();
                    var key = string.Join(", ", values.Select((v, i) => (v, i))
                        .Where(x => x.v is string { Length: <= 64 } || x.v is long)
                        .Take(4)
                        .Select(x => $"{reader.GetName(x.i)}={x.v}"));
                    for (var i = 0; i < values.Count; i++)
                    {
                        var bytes = values[i] switch
                        {
                            null => null,
                            byte[] blob => blob,
                            string text => Encoding.UTF8.GetBytes(text),
                            var other => Encoding.UTF8.GetBytes(Convert.ToString(other, CultureInfo.InvariantCulture) ?? ""),
                        };
                        if (bytes is not null)
                        {
                            cells++;
                            AddBytes("row", $"{label} » {table}.{reader.GetName(i)} (row {row}: {key})", bytes);
                        }
                    }
                }
            }
        }

        return cells;
    }

    [GeneratedRegex(@"^COPY (?<table>\S+) \((?<columns>[^)]*)\) FROM stdin;$")]
    private static partial Regex CopyHeader();

    /// <summary><c>public."OrleansStorage"</c> → <c>OrleansStorage</c>.</summary>
    private static string Unquote(string name) => name[(name.StartsWith("public.", StringComparison.Ordinal) ? 7 : 0)..].Trim('"');

    /// <summary>A bytea as PostgreSQL writes it by default: <c>\x</c> and an even number of hex digits.</summary>
    private static bool IsHexBytea(byte[] value) =>
        value.Length >= 2 && value[0] == '\\' && value[1] == 'x' && value.Length % 2 == 0 && value.AsSpan(2).IndexOfAnyExcept("0123456789abcdefABCDEF"u8) < 0;

    /// <summary>One field of COPY's text format, unescaped; null for <c>\N</c> (SQL NULL).</summary>
    private static byte[]? CopyField(ReadOnlySpan<byte> field)
    {
        if (field.SequenceEqual("\\N"u8))
        {
            return null;
        }

        var value = new List<byte>(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                value.Add(field[i]);
                continue;
            }

            var next = field[++i];
            switch (next)
            {
                case (byte)'b': value.Add(0x08); break;
                case (byte)'f': value.Add(0x0C); break;
                case (byte)'n': value.Add(0x0A); break;
                case (byte)'r': value.Add(0x0D); break;
                case (byte)'t': value.Add(0x09); break;
                case (byte)'v': value.Add(0x0B); break;
                case >= (byte)'0' and <= (byte)'7':
                    var octal = next - '0';
                    for (var digits = 1; digits < 3 && i + 1 < field.Length && field[i + 1] is >= (byte)'0' and <= (byte)'7'; digits++)
                    {
                        octal = (octal * 8) + (field[++i] - '0');
                    }

                    value.Add((byte)octal);
                    break;
                case (byte)'x' when i + 1 < field.Length && char.IsAsciiHexDigit((char)field[i + 1]):
                    var hex = Uri.FromHex((char)field[++i]);
                    if (i + 1 < field.Length && char.IsAsciiHexDigit((char)field[i + 1]))
                    {
                        hex = (hex * 16) + Uri.FromHex((char)field[++i]);
                    }

                    value.Add((byte)hex);
                    break;
                default: value.Add(next); break;
            }
        }

        return [.. value];
    }

    private sealed record Pattern(string Canary, string Needle, string Encoding, byte[] Bytes, bool IgnoreCase);
}
