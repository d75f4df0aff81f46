using System.Text.Json;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Matching;
using ReferralNetwork.Storage.Protection;

namespace ReferralNetwork.Subjects;

/// <summary>The person's identifying data, as the holder recorded or corrected it. Exists only in memory and sealed at rest.</summary>
[GenerateSerializer, Immutable, Alias("subject-identity")]
public sealed record SubjectIdentity(
    [property: Id(0)] string GivenName,
    [property: Id(1)] string FamilyName,
    [property: Id(2)] Sex Sex,
    [property: Id(3)] DateOnly? DateOfBirth,
    [property: Id(4)] string Nationality,
    [property: Id(5)] IReadOnlyList<string> Languages,
    [property: Id(6)] string? Summary)
{
    /// <summary>Names no one: an identity that ends up in a log or a trace (Orleans traces messages) must not carry the person there.</summary>
    public override string ToString() => nameof(SubjectIdentity);

    /// <summary>The names of the fields that differ (never their values: these names go into the referral's history).</summary>
    public IReadOnlyList<string> ChangedFrom(SubjectIdentity before) =>
    [
        .. new (string Field, bool Changed)[]
        {
            ("givenName", GivenName != before.GivenName),
            ("familyName", FamilyName != before.FamilyName),
            ("sex", Sex != before.Sex),
            ("dateOfBirth", DateOfBirth != before.DateOfBirth),
            ("nationality", Nationality != before.Nationality),
            ("languages", !Languages.SequenceEqual(before.Languages)),
            ("summary", Summary != before.Summary),
        }.Where(f => f.Changed).Select(f => f.Field),
    ];
}

/// <summary>Who reads the compartment, and why (a purpose code, and an optional note that is kept sealed).</summary>
[GenerateSerializer, Immutable, Alias("subject-reader")]
public sealed record SubjectReader(
    [property: Id(0)] string OrganizationId,
    [property: Id(1)] string? Person,
    [property: Id(2)] AccessPurpose Purpose,
    [property: Id(3)] string? Note,
    [property: Id(4)] bool EmergencyAccess)
{
    public override string ToString() => $"{nameof(SubjectReader)} {{ {OrganizationId}, {Purpose} }}";
}

/// <summary>
/// The subject compartment as stored: the identity sealed under a data key of its own (wrapped by the key of the
/// country where the person was identified, bound to the referral), the documents' list and the access log. The
/// plain fields 0–6 are read only from rows written before encryption, and emptied when those are sealed.
/// </summary>
[GenerateSerializer, Alias("subject-state")]
public sealed class SubjectState
{
    [Id(0)] public string GivenName { get; set; } = "";
    [Id(1)] public string FamilyName { get; set; } = "";
    [Id(2)] public Sex Sex { get; set; }
    [Id(3)] public DateOnly? DateOfBirth { get; set; }
    [Id(4)] public string Nationality { get; set; } = "";
    [Id(5)] public List<string> Languages { get; set; } = [];
    [Id(6)] public string? Summary { get; set; }

    [Id(7)] public List<SubjectAccess> Accesses { get; set; } = [];

    /// <summary>The compartment's data key. Destroying it erases the person (crypto-shredding).</summary>
    [Id(8)] public WrappedDataKey? Key { get; set; }

    /// <summary>The <see cref="SubjectIdentity"/>, as JSON sealed under <see cref="Key"/>.</summary>
    [Id(9)] public byte[]? Identity { get; set; }

    [Id(10)] public List<DocumentRecord> Documents { get; set; } = [];

    /// <summary>When the data key was destroyed; the compartment then holds nothing readable.</summary>
    [Id(11)] public DateTimeOffset? ErasedAt { get; set; }

    public bool HoldsPlainText => GivenName.Length > 0 || FamilyName.Length > 0 || Nationality.Length > 0 || Summary is not null || Languages.Count > 0;

    /// <summary>Moves a row written before encryption into the sealed fields' shape (the caller seals and saves it).</summary>
    public SubjectIdentity TakePlainText()
    {
        var identity = new SubjectIdentity(GivenName, FamilyName, Sex, DateOfBirth, Nationality, [.. Languages], Summary);
        GivenName = FamilyName = Nationality = "";
        Sex = default;
        DateOfBirth = null;
        Languages = [];
        Summary = null;
        return identity;
    }
}

/// <summary>One read of the compartment. <see cref="Reason"/> is the free text of reads recorded before purposes existed.</summary>
[GenerateSerializer, Immutable, Alias("subject-access")]
public sealed record SubjectAccess(
    [property: Id(0)] string OrganizationId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Reason,
    [property: Id(3)] AccessPurpose? Purpose = null,
    [property: Id(4)] string? Note = null,
    [property: Id(5)] bool EmergencyAccess = false,
    [property: Id(6)] string? Person = null,
    [property: Id(7)] Guid? DocumentId = null)
{
    public AccessLogEntry ToEntry() => new(OrganizationId, Person, At, Purpose, Note ?? Reason, EmergencyAccess, DocumentId);
}

[GenerateSerializer, Immutable, Alias("document-record")]
public sealed record DocumentRecord(
    [property: Id(0)] Guid Id,
    [property: Id(1)] DocumentKind Kind,
    [property: Id(2)] string ContentType,
    [property: Id(3)] long Length,
    [property: Id(4)] DateTimeOffset AddedAt,
    [property: Id(5)] string AddedBy)
{
    public DocumentView ToView() => new(Id, Kind, ContentType, Length, AddedAt, AddedBy);
}

/// <summary>
/// The subject compartment as a grain of its own, reached only through the referral grain, which decides who may
/// read it. A referral activates without loading anyone's identity, and the compartment leaves memory as soon as it
/// has answered. Keyed by the referral's id and, as key extension, the country where the person was identified: the
/// storage keeps it in that country's store when <c>Residency</c> names one (<see cref="ResidencyGrainStorage"/>).
/// </summary>
[Alias("subject")]
public interface ISubjectGrain : IGrainWithGuidCompoundKey
{
    /// <summary>The first record of the person, sealed under a new data key of <paramref name="country"/> (where they were identified).</summary>
    [Alias("record")] Task Record(string country, SubjectIdentity identity);

    /// <summary>Records the read (who, when, why) before it answers: no unaudited read.</summary>
    [Alias("read")] Task<SubjectView> Read(SubjectReader reader);

    /// <summary>Replaces the identity; answers the names of the fields that changed.</summary>
    [Alias("correct")] Task<IReadOnlyList<string>> Correct(string country, SubjectIdentity identity);

    [Alias("add-document")] Task<DocumentView> AddDocument(string country, Guid documentId, DocumentKind kind, string contentType, byte[] content, string addedBy);

    /// <summary>A document's content, audited like a read of the subject.</summary>
    [Alias("read-document")] Task<(DocumentView Document, byte[] Content)> ReadDocument(SubjectReader reader, Guid documentId);

    [Alias("access-log")] Task<IReadOnlyList<AccessLogEntry>> AccessLog();

    /// <summary>Seals what is still plain (a row written before encryption) and re-wraps the data key under its country's current key.</summary>
    [Alias("reseal")] Task Reseal(string country);

    /// <summary>Destroys the data key: the identity and every document become unreadable for good.</summary>
    [Alias("erase")] Task Erase();

    /// <summary>
    /// Hands the match index the encoding of the identity under network key <paramref name="keyId"/> (a rotation, or a
    /// referral recorded before matching existed): the identity itself never leaves the compartment. An erased subject
    /// is not encoded, and its encoding, if one is left, is dropped.
    /// </summary>
    [Alias("encode")] Task<SubjectEncodingOutcome> Encode(string keyId);
}

/// <summary>What a compartment did when the encoding pass asked for its encoding.</summary>
[GenerateSerializer, Alias("subject-encoding-outcome")]
public enum SubjectEncodingOutcome
{
    Encoded,
    Erased,

    /// <summary>The referral has no subject recorded (its create never finished).</summary>
    NotRecorded,
}

public static class SubjectGrains
{
    /// <summary>The compartment of a referral, in the store of <paramref name="identifiedIn"/>.</summary>
    public static ISubjectGrain Subject(this IGrainFactory grains, Guid referralId, string identifiedIn) =>
        grains.GetGrain<ISubjectGrain>(referralId, identifiedIn);

    /// <summary>A document's content, in the same store as its compartment.</summary>
    public static ISubjectDocumentGrain Document(this IGrainFactory grains, Guid documentId, string identifiedIn) =>
        grains.GetGrain<ISubjectDocumentGrain>(documentId, identifiedIn);
}

// The state name "subject" keys the stored row (with the referral's id and the country): before the key carried the
// country, the row had the referral's id alone, which the storage finds and moves on first activation.
public sealed class SubjectGrain(
    [PersistentState("subject", SubjectsFeature.GrainStorage)] IPersistentState<SubjectState> subject,
    EnvelopeProtector protector,
    MatchSubmission matching,
    TimeProvider time) : Grain, ISubjectGrain
{
    private const string IdentityLabel = SealLabels.Subject;

    private SubjectState State => subject.State;

    private Guid ReferralId => this.GetPrimaryKey(out _);

    private string IdentifiedIn
    {
        get
        {
            this.GetPrimaryKey(out var country);
            return country!;
        }
    }

    public async Task Record(string country, SubjectIdentity identity)
    {
        using var key = protector.NewDataKey(country, ReferralId);
        State.Key = key.Wrapped;
        State.Identity = protector.Seal(key, IdentityLabel, JsonSerializer.SerializeToUtf8Bytes(identity, Json.Options));
        await SaveAsync();
        await matching.SubmitAsync(ReferralId, country, identity);
    }

    public async Task<SubjectView> Read(SubjectReader reader)
    {
        var identity = Open();
        State.Accesses.Add(Access(reader, null));
        await SaveAsync();
        return View(identity);
    }

    public async Task<IReadOnlyList<string>> Correct(string country, SubjectIdentity identity)
    {
        await EnsureSealedAsync(country);
        var before = Open();
        var changed = identity.ChangedFrom(before);
        if (changed.Count > 0)
        {
            using var key = protector.Unwrap(State.Key!, ReferralId);
            State.Identity = protector.Seal(key, IdentityLabel, JsonSerializer.SerializeToUtf8Bytes(identity, Json.Options));
            await SaveAsync();
            await matching.SubmitAsync(ReferralId, country, identity);
        }

        return changed;
    }

    public async Task<DocumentView> AddDocument(string country, Guid documentId, DocumentKind kind, string contentType, byte[] content, string addedBy)
    {
        await EnsureSealedAsync(country);
        EnsureReadable();
        byte[] sealedContent;
        using (var key = protector.Unwrap(State.Key!, ReferralId))
        {
            sealedContent = protector.Seal(key, SealLabels.Document(documentId), content);
        }

        await GrainFactory.Document(documentId, IdentifiedIn).Store(ReferralId, sealedContent);
        var record = new DocumentRecord(documentId, kind, contentType, content.LongLength, time.GetUtcNow(), addedBy);
        State.Documents.Add(record);
        await SaveAsync();
        return record.ToView();
    }

    public async Task<(DocumentView Document, byte[] Content)> ReadDocument(SubjectReader reader, Guid documentId)
    {
        EnsureReadable();
        var record = State.Documents.SingleOrDefault(d => d.Id == documentId) ?? throw ProblemException.NotFound();
        var sealedContent = await GrainFactory.Document(documentId, IdentifiedIn).Load(ReferralId);
        byte[] content;
        using (var key = protector.Unwrap(State.Key!, ReferralId))
        {
            content = protector.Open(key, SealLabels.Document(documentId), sealedContent);
        }

        State.Accesses.Add(Access(reader, documentId));
        await SaveAsync();
        return (record.ToView(), content);
    }

    public Task<IReadOnlyList<AccessLogEntry>> AccessLog() =>
        Task.FromResult<IReadOnlyList<AccessLogEntry>>([.. State.Accesses.Select(a => a.ToEntry())]);

    public async Task Reseal(string country)
    {
        await EnsureSealedAsync(country);
        if (State.ErasedAt is null && State.Key is { } wrapped && !protector.IsCurrent(wrapped))
        {
            State.Key = protector.Rewrap(wrapped, ReferralId);
        }

        // The documents' rows too: sealed again under the current key, and moved to the compartment's store if they
        // are not there yet.
        foreach (var document in State.Documents)
        {
            await GrainFactory.Document(document.Id, IdentifiedIn).Reseal();
        }

        // Every write seals the whole row again under the current key of the platform's ring.
        await SaveAsync();
    }

    public async Task Erase()
    {
        State.Key = null;
        State.Identity = null;
        State.ErasedAt ??= time.GetUtcNow();
        foreach (var document in State.Documents)
        {
            await GrainFactory.Document(document.Id, IdentifiedIn).Erase();
        }

        await SaveAsync();
        await matching.ForgetAsync(ReferralId);
    }

    public async Task<SubjectEncodingOutcome> Encode(string keyId)
    {
        // Nothing to keep in memory: a pass visits every compartment once.
        DeactivateOnIdle();
        if (State.ErasedAt is not null)
        {
            await matching.ForgetAsync(ReferralId);
            return SubjectEncodingOutcome.Erased;
        }

        if (State.Identity is null && !State.HoldsPlainText)
        {
            return SubjectEncodingOutcome.NotRecorded;
        }

        await matching.ResubmitAsync(ReferralId, IdentifiedIn, Open(), keyId);
        return SubjectEncodingOutcome.Encoded;
    }

    /// <summary>A row written before encryption is sealed before it changes (the recovery of such rows is <see cref="Reseal"/>).</summary>
    private async Task EnsureSealedAsync(string country)
    {
        if (State.Key is null && State.ErasedAt is null && State.HoldsPlainText)
        {
            await Record(country, State.TakePlainText());
        }
    }

    private SubjectIdentity Open()
    {
        if (State.Key is null && State.HoldsPlainText)
        {
            // Written before encryption and not yet resealed: readable as it is, until the start-up reseal seals it.
            return new SubjectIdentity(State.GivenName, State.FamilyName, State.Sex, State.DateOfBirth, State.Nationality, [.. State.Languages], State.Summary);
        }

        EnsureReadable();
        using var key = protector.Unwrap(State.Key!, ReferralId);
        return JsonSerializer.Deserialize<SubjectIdentity>(protector.Open(key, IdentityLabel, State.Identity), Json.Options)!;
    }

    private void EnsureReadable()
    {
        if (State.Key is null || State.Identity is null)
        {
            // Erased, or never recorded: nothing to show, and nothing says which.
            throw ProblemException.NotFound();
        }
    }

    private SubjectAccess Access(SubjectReader reader, Guid? documentId) =>
        new(reader.OrganizationId, time.GetUtcNow(), null, reader.Purpose, reader.Note, reader.EmergencyAccess, reader.Person, documentId);

    private SubjectView View(SubjectIdentity identity) => new(
        ReferralId, identity.GivenName, identity.FamilyName, identity.Sex, identity.DateOfBirth, identity.Nationality, [.. identity.Languages],
        identity.Summary, [.. State.Documents.Select(d => d.ToView())]);

    private async Task SaveAsync()
    {
        try
        {
            await subject.WriteStateAsync();
        }
        finally
        {
            // Leaves memory after answering; after a failed write (its store down), without what it failed to write.
            DeactivateOnIdle();
        }
    }
}

/// <summary>The sealed content of one document, apart from the compartment so that reading a name never loads a scan.</summary>
[GenerateSerializer, Alias("subject-document-state")]
public sealed class SubjectDocumentState
{
    [Id(0)] public Guid ReferralId { get; set; }

    [Id(1)] public byte[]? Content { get; set; }
}

/// <summary>Keyed by the document's id and the country of its compartment, whose store keeps it too.</summary>
[Alias("subject-document")]
public interface ISubjectDocumentGrain : IGrainWithGuidCompoundKey
{
    [Alias("store")] Task Store(Guid referralId, byte[] sealedContent);

    [Alias("load")] Task<byte[]> Load(Guid referralId);

    [Alias("erase")] Task Erase();

    /// <summary>Writes the row again: sealed under the current key, in the compartment's store.</summary>
    [Alias("reseal")] Task Reseal();
}

public sealed class SubjectDocumentGrain(
    [PersistentState("subject-document", SubjectsFeature.GrainStorage)] IPersistentState<SubjectDocumentState> document) : Grain, ISubjectDocumentGrain
{
    public async Task Store(Guid referralId, byte[] sealedContent)
    {
        document.State = new SubjectDocumentState { ReferralId = referralId, Content = sealedContent };
        await document.WriteStateAsync();
        DeactivateOnIdle();
    }

    public Task<byte[]> Load(Guid referralId)
    {
        DeactivateOnIdle();
        return document.State.ReferralId == referralId && document.State.Content is { } content
            ? Task.FromResult(content)
            : throw ProblemException.NotFound();
    }

    public async Task Erase()
    {
        document.State.Content = null;
        await document.WriteStateAsync();
        DeactivateOnIdle();
    }

    public async Task Reseal()
    {
        if (document.RecordExists)
        {
            await document.WriteStateAsync();
        }

        DeactivateOnIdle();
    }
}
