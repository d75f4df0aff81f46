using System.Globalization;

namespace ReferralNetwork.Testing;

/// <summary>
/// A value entered through the API that must never be readable where the platform writes. <see cref="Value"/>
/// is what is entered; <see cref="Texts"/> are the spellings searched for (in every encoding the search knows),
/// chosen so that none can occur by chance; <see cref="Binary"/> are byte forms a serializer writes, searched as is.
/// </summary>
public sealed record Canary(string Name, string Value, IReadOnlyList<string> Texts, IReadOnlyList<BinaryForm> Binary)
{
    /// <summary>A canary searched by its distinctive token only; <paramref name="value"/> may wrap it in ordinary words.</summary>
    public static Canary Token(string name, string token, string? value = null) => new(name, value ?? token, [token], []);
}

/// <summary>A byte form of a canary, e.g. how Orleans' binary format writes a date.</summary>
public sealed record BinaryForm(string Form, byte[] Bytes)
{
    /// <summary>
    /// How Orleans' serializer writes a <see cref="DateOnly"/> field: a one-byte Fixed32 field header (0x60 plus the
    /// field id's distance from the previous field, 0–6) and the day number as a little-endian int32; declared as
    /// <c>object</c>, the header 0x68–0x6E and DateOnly's well-known type id 0x39 come before it. The four bytes of the
    /// day number alone occur by chance in the megabytes of ciphertext a run writes; with their header they do not.
    /// </summary>
    public static IReadOnlyList<BinaryForm> OrleansDate(DateOnly date)
    {
        var day = BitConverter.GetBytes(date.DayNumber);
        return
        [
            .. Enumerable.Range(0, 7).Select(delta => new BinaryForm("Orleans DateOnly field (Fixed32 header, day number int32 LE)", [(byte)(0x60 | delta), .. day])),
            .. Enumerable.Range(0, 7).Select(delta => new BinaryForm("Orleans DateOnly as object (header, type id, day number int32 LE)", [(byte)(0x68 | delta), 0x39, .. day])),
        ];
    }
}

/// <summary>
/// The canaries of one run, all built from one fresh Guid so that each is unique to the run and to its field.
/// Tokens are letters and hex digits only: no JSON, URL or HTML escaping can change them, and no id, timestamp
/// or key of the platform can contain them. Later features add theirs with <see cref="Add"/>.
/// </summary>
public sealed class CanarySet
{
    private readonly List<Canary> _all = [];

    public CanarySet(Guid seed)
    {
        Hex = seed.ToString("N");
        GivenName = Add("subject.givenName", "given");
        FamilyName = Add("subject.familyName", "family");

        // A date alone can occur by chance; this one cannot in a Guid (8-4-4-4-12 hex), nor in a timestamp of
        // this century. Searched in the usual spellings and as Orleans' binary format writes a DateOnly field.
        DateOfBirth = new DateOnly(1953, 7, 29);
        Register(new Canary(
            "subject.dateOfBirth",
            DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            [.. new[] { "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "dd.MM.yyyy", "yyyyMMdd" }.Select(f => DateOfBirth.ToString(f, CultureInfo.InvariantCulture))],
            BinaryForm.OrleansDate(DateOfBirth)));

        // A Thai mobile number made of the seed's digits: searched without its '+' (JSON writers escape it) and as E.164.
        var digits = (BitConverter.ToUInt64(seed.ToByteArray(), 0) % 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
        PhoneNumber = Register(new Canary("summary.phoneNumber", $"+66 8{digits}", [$"66 8{digits}", $"668{digits}"], []));
        DocumentNumber = Add("summary.documentNumber", "doc");
        var sentence = $"Canarysentence{Hex}";
        Summary = Register(Canary.Token(
            "summary",
            sentence,
            $"{sentence} she was held at a compound near the border; passport {DocumentNumber.Value} kept by the guards; her sister answers on {PhoneNumber.Value}."));

        HandoffMessage = Add("handoff.message", "message", "needs a bed tonight, she fears the recruiter");
        ConsentOverrideReason = Add("handoff.consentOverrideReason", "override", "she cannot be asked now, she is in hospital");
        DeclineReason = Add("handoff.declineReason", "decline", "no bed free tonight");
        WithdrawReason = Add("handoff.withdrawReason", "withdraw", "her brother found her a safer place");
        NationalityRejectionReason = Add("nationality.rejectionReason", "rejection", "no civil registration record under this name");
        Escort = Add("returnPlan.escort", "escort", "two officers of the anti-trafficking police");
        ServiceNote = Add("service.note", "note", "enrolled in a tailoring course");
        EmergencyAccessReason = Add("emergencyAccess.reason", "glass", "she was admitted to hospital unconscious");
        SubjectReadReason = Add("subject.readReason", "readreason", "preparing the family visit");
    }

    /// <summary>The hex of the seed, shared by every token of the run.</summary>
    public string Hex { get; }

    public IReadOnlyList<Canary> All => _all;

    public Canary GivenName { get; }
    public Canary FamilyName { get; }
    public DateOnly DateOfBirth { get; }
    public Canary PhoneNumber { get; }
    public Canary DocumentNumber { get; }
    public Canary Summary { get; }
    public Canary HandoffMessage { get; }
    public Canary ConsentOverrideReason { get; }
    public Canary DeclineReason { get; }
    public Canary WithdrawReason { get; }
    public Canary NationalityRejectionReason { get; }
    public Canary Escort { get; }
    public Canary ServiceNote { get; }
    public Canary EmergencyAccessReason { get; }
    public Canary SubjectReadReason { get; }

    /// <summary>
    /// A new canary for <paramref name="name"/> (the field it goes into): token <c>Canary{label}{hex}</c>, its
    /// value the token followed by <paramref name="words"/> when given. Names must be unique.
    /// </summary>
    public Canary Add(string name, string label, string? words = null)
    {
        var token = $"Canary{label}{Hex}";
        return Register(Canary.Token(name, token, words is null ? token : $"{token} {words}"));
    }

    public Canary Register(Canary canary)
    {
        if (_all.Any(c => c.Name == canary.Name))
        {
            throw new ArgumentException($"A canary named {canary.Name} exists already.", nameof(canary));
        }

        _all.Add(canary);
        return canary;
    }
}
