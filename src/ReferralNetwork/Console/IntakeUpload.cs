using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.WebConsole;

/// <summary>
/// A list of people to record, as a CSV file (UTF-8, a header row, comma or semicolon): each row read into the batch
/// item the API would receive for it, and checked by the API's own validation (<see cref="BatchEndpoints.Check"/>), so
/// that the preview shows exactly what the import will refuse. Each row's idempotency key comes from the file (a hash
/// of its bytes and the row's number): importing the same file again reaches the same referrals and creates none twice.
/// </summary>
public sealed class IntakeUpload
{
    /// <summary>Ten thousand people of a few hundred bytes each, with room to spare.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    public const int MaxRows = 10_000;

    /// <summary>The columns a file may have, as its header names them (any order, any case); the first three are required.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["given_name", "sex", "nationality", "family_name", "date_of_birth", "languages", "identified_on", "exploitation", "summary"];

    private static readonly string[] RequiredColumns = ["given_name", "sex", "nationality"];

    private static readonly char[] ListSeparators = [' ', '|', ','];

    private IntakeUpload(string fingerprint, IReadOnlyList<IntakeRow> rows)
    {
        Fingerprint = fingerprint;
        Rows = rows;
    }

    /// <summary>The first 128 bits of the file's SHA-256, in hex: what the rows' keys are made of (nothing of any person is readable in it).</summary>
    public string Fingerprint { get; }

    public IReadOnlyList<IntakeRow> Rows { get; }

    public int Valid => Rows.Count(r => r.Problems.Count == 0);

    /// <summary>
    /// Reads <paramref name="content"/>: rows without a date of identification were identified on <paramref name="identifiedOn"/>
    /// (fixed when the file was previewed, so that importing it again sends the same rows). A file that cannot be read as
    /// a list of people is refused whole (<see cref="IntakeFileException"/>); a row that is wrong is kept, with its problems.
    /// </summary>
    public static IntakeUpload Read(byte[] content, DateOnly identifiedOn, Caller caller, PersonTime time, DateTimeOffset now)
    {
        if (content.Length == 0)
        {
            throw new IntakeFileException("empty");
        }

        if (content.Length > MaxBytes)
        {
            throw new IntakeFileException("too-large");
        }

        var text = Decode(content);
        var records = CsvRecords(text, Separator(text)).ToList();
        var header = records.Count > 0 ? records[0].Select(h => h.Trim().ToLowerInvariant()).ToList() : [];
        if (RequiredColumns.Any(c => !header.Contains(c)))
        {
            throw new IntakeFileException("no-header");
        }

        if (header.FirstOrDefault(h => h.Length > 0 && !Columns.Contains(h)) is { } unknown)
        {
            throw new IntakeFileException("unknown-column", unknown.Length > 40 ? unknown[..40] + "…" : unknown);
        }

        var data = records.Skip(1).Select((fields, i) => (Fields: fields, Number: i + 2)).Where(r => r.Fields.Any(f => f.Trim().Length > 0)).ToList();
        if (data.Count == 0)
        {
            throw new IntakeFileException("empty");
        }

        if (data.Count > MaxRows)
        {
            throw new IntakeFileException("too-many-rows");
        }

        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16));
        var rows = data.Select(r => ReadRow(r.Number, Row(header, r.Fields), fingerprint, identifiedOn, caller, time, now)).ToList();
        return new IntakeUpload(fingerprint, rows);
    }

    /// <summary>A row's key: the file and the row's place in it, never what the row says.</summary>
    public static string KeyOf(string fingerprint, int row) => string.Create(CultureInfo.InvariantCulture, $"csv-{fingerprint}-{row}");

    /// <summary>The column a field of the API's validation comes from (<c>subject.givenName</c> is <c>given_name</c>).</summary>
    public static string ColumnOf(string field) => field switch
    {
        "subject.givenName" => "given_name",
        "subject.familyName" => "family_name",
        "subject.sex" => "sex",
        "subject.dateOfBirth" => "date_of_birth",
        "subject.nationality" => "nationality",
        _ when field.StartsWith("subject.languages", StringComparison.Ordinal) => "languages",
        "identifiedAt" => "identified_on",
        "exploitation" => "exploitation",
        "summary" => "summary",
        _ => "",
    };

    /// <summary>
    /// An item's refusal as the console says it: each field at fault as its column and a text key of the console for what
    /// is wrong with it (the API's messages are English; one the console has no words for keeps its English detail), or
    /// the refusal's reason code when no field is at fault.
    /// </summary>
    public static IReadOnlyList<IntakeProblem> ProblemsOf(BatchItemProblem problem)
    {
        if (problem.Errors is not { Count: > 0 } errors)
        {
            var reason = problem.Code ?? "kind-" + problem.Type.Replace(Problems.TypePrefix, "", StringComparison.Ordinal);
            return [new IntakeProblem("", "Refusal." + reason, null)];
        }

        return [.. errors.SelectMany(e => e.Value.Select(message => ProblemOf(ColumnOf(e.Key), message))).Distinct()];
    }

    private static IntakeProblem ProblemOf(string column, string message) => (column, message) switch
    {
        (_, "Required.") => new(column, "Intake.Error.Required", null),
        ("given_name" or "family_name" or "summary", _) => new(column, "Intake.Error.TooLong", null),
        ("nationality", _) => new(column, "Intake.Error.Country", null),
        ("date_of_birth", _) => new(column, "Intake.Error.DateOfBirth", null),
        ("languages", _) => new(column, "Intake.Error.Language", null),
        ("identified_on", _) => new(column, "Intake.Error.Future", null),
        ("exploitation", _) => new(column, "Intake.Error.Exploitation", null),
        _ => new(column, "Intake.Error.Other", message),
    };

    private static IntakeRow ReadRow(
        int number, IReadOnlyDictionary<string, string> cells, string fingerprint, DateOnly identifiedOn, Caller caller, PersonTime time, DateTimeOffset now)
    {
        var problems = new List<IntakeProblem>();
        string? Cell(string column) => cells.TryGetValue(column, out var value) && value.Trim() is { Length: > 0 } trimmed ? trimmed : null;

        Sex? sex = null;
        if (Cell("sex") is { } sexText)
        {
            sex = SexOf(sexText);
            if (sex is null)
            {
                problems.Add(new("sex", "Intake.Error.Sex", null));
            }
        }

        var dateOfBirth = time.ParseDate(Cell("date_of_birth"));
        if (Cell("date_of_birth") is not null && dateOfBirth is null)
        {
            problems.Add(new("date_of_birth", "Intake.Error.Date", null));
        }

        var identified = Cell("identified_on") is { } identifiedText ? time.ParseDate(identifiedText) : identifiedOn;
        if (identified is null)
        {
            problems.Add(new("identified_on", "Intake.Error.Date", null));
        }

        var exploitation = new List<ExploitationForm>();
        foreach (var code in (Cell("exploitation") ?? "other").Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (Enum.GetValues<ExploitationForm>().Where(f => Labels.Api(f) == code.ToLowerInvariant()).Cast<ExploitationForm?>().FirstOrDefault() is { } form)
            {
                exploitation.Add(form);
            }
            else
            {
                problems.Add(new("exploitation", "Intake.Error.Exploitation", null));
                break;
            }
        }

        var languages = Cell("languages")?.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries) ?? [];
        var request = new CreateReferralRequest(
            new SubjectInput(Cell("given_name"), Cell("family_name"), sex, dateOfBirth, Cell("nationality")?.ToUpperInvariant(), languages),
            caller.Country,
            identified is { } day ? StartOf(day, time.Zone) : null,
            exploitation,
            Cell("summary"));
        var item = new ReferralBatchItem(KeyOf(fingerprint, number), request);

        // What the row's own cells got wrong is said first; the API's validation then speaks of the other columns.
        if (BatchEndpoints.Check(item, caller, now) is { } refused)
        {
            problems.AddRange(ProblemsOf(BatchEndpoints.ProblemOf(refused)).Where(p => problems.All(q => q.Column != p.Column)));
        }

        return new IntakeRow(number, item, problems);
    }

    /// <summary>The day's first moment where the person works: a date alone says nothing of the hour.</summary>
    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static Sex? SexOf(string text) => text.ToLowerInvariant() switch
    {
        "female" or "f" => Sex.Female,
        "male" or "m" => Sex.Male,
        "other" => Sex.Other,
        "unknown" => Sex.Unknown,
        _ => null,
    };

    private static Dictionary<string, string> Row(List<string> header, List<string> fields)
    {
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count && i < fields.Count; i++)
        {
            if (header[i].Length > 0)
            {
                row[header[i]] = fields[i];
            }
        }

        return row;
    }

    /// <summary>UTF-8 text (a byte order mark is dropped); anything else, a spreadsheet's own format or a picture, is not a CSV file.</summary>
    private static string Decode(byte[] content)
    {
        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(content);
            text = text.TrimStart('\uFEFF');
            return text.Contains('\0', StringComparison.Ordinal) ? throw new IntakeFileException("not-csv") : text;
        }
        catch (DecoderFallbackException)
        {
            throw new IntakeFileException("not-csv");
        }
    }

    /// <summary>Semicolon when the header has more of them than commas (spreadsheets in locales with a decimal comma), else comma.</summary>
    private static char Separator(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        var header = end < 0 ? text : text[..end];
        return header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',';
    }

    /// <summary>RFC 4180 records: quoted fields may hold the separator, line breaks and doubled quotes.</summary>
    private static IEnumerable<List<string>> CsvRecords(string text, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                yield return fields;
                fields = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }
}

/// <summary>One row of an upload: its number as a spreadsheet shows it (the header is row 1), the item it makes, what is wrong with it.</summary>
public sealed record IntakeRow(int Number, ReferralBatchItem Item, IReadOnlyList<IntakeProblem> Problems);

/// <summary>What is wrong with a row: its column (empty for the row as a whole), a text key, and an English detail when the console has no words of its own.</summary>
public sealed record IntakeProblem(string Column, string Key, string? Detail);

/// <summary>A file that is not a list of people the page can read; <see cref="Code"/> names why (<c>Intake.File.{code}</c>).</summary>
public sealed class IntakeFileException(string code, string? detail = null) : Exception($"The upload was refused: {code}.")
{
    public string Code { get; } = code;

    /// <summary>What the file said that is wrong (an unknown column's name: a header, never a person's data).</summary>
    public string? Detail { get; } = detail;
}
