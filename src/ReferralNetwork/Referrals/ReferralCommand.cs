using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Referrals;

/// <summary>
/// What a caller asks of a referral, complete and well-formed. The API and the console build these from
/// what they received (each <c>From</c> refuses a malformed request, naming every field at fault); the grain
/// takes nothing else, and only <see cref="ReferralState"/> decides whether the workflow allows it.
/// </summary>
public static class ReferralCommand
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>A person newly identified; <see cref="RequestHash"/> is set when the request carried an Idempotency-Key.</summary>
    [GenerateSerializer, Immutable, Alias("command.create")]
    public sealed record Create(
        [property: Id(0)] SubjectIdentity Identity,
        [property: Id(1)] string IdentifiedIn,
        [property: Id(2)] DateTimeOffset IdentifiedAt,
        [property: Id(3)] IReadOnlyList<ExploitationForm> Exploitation,
        [property: Id(4)] string? RequestHash)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(Create);

        public static Create From(CreateReferralRequest request, Caller caller, DateTimeOffset now, string? requestHash = null)
        {
            var errors = FieldErrors.Of(request)
                .Required("subject", request.Subject)
                .Required("identifiedIn", request.IdentifiedIn)
                .CountryCode("identifiedIn", request.IdentifiedIn)
                .Required("identifiedAt", request.IdentifiedAt)
                .Required("exploitation", request.Exploitation);

            if (request.IdentifiedIn is { Length: 2 } country && !string.Equals(country, caller.Country, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add("identifiedIn", $"An organization identifies people in its own country ({caller.Country}).");
            }

            if (request.IdentifiedAt > now + ClockSkew)
            {
                errors.Add("identifiedAt", "Cannot be in the future.");
            }

            if (request.Exploitation is { Count: 0 })
            {
                errors.Add("exploitation", "At least one form of exploitation; use \"other\" when it is not yet known.");
            }

            if (request.Subject is { } subject)
            {
                ValidateSubject(errors, "subject.", subject, now);
            }

            errors.ThrowIfAny();
            var s = request.Subject!;
            return new Create(
                new SubjectIdentity(s.GivenName!.Trim(), s.FamilyName?.Trim() ?? "", s.Sex!.Value, s.DateOfBirth, s.Nationality!.ToUpperInvariant(), [.. s.Languages ?? []], request.Summary),
                request.IdentifiedIn!.ToUpperInvariant(),
                request.IdentifiedAt!.Value,
                [.. request.Exploitation!.Distinct()],
                requestHash);
        }
    }

    private static FieldErrors ValidateSubject(FieldErrors errors, string prefix, SubjectInput subject, DateTimeOffset now)
    {
        errors.Required($"{prefix}givenName", subject.GivenName)
            .Required($"{prefix}sex", subject.Sex)
            .Required($"{prefix}nationality", subject.Nationality)
            .CountryCode($"{prefix}nationality", subject.Nationality);
        if (subject.DateOfBirth is { } born && (born > DateOnly.FromDateTime(now.UtcDateTime) || born.Year < 1900))
        {
            errors.Add($"{prefix}dateOfBirth", "Not a plausible date of birth.");
        }

        foreach (var (language, index) in (subject.Languages ?? []).Select((l, i) => (l, i)))
        {
            if (language is null || !FieldErrors.LanguagePattern().IsMatch(language))
            {
                errors.Add($"{prefix}languages[{index}]", "A BCP 47 language tag, such as vi or km.");
            }
        }

        return errors;
    }

    [GenerateSerializer, Immutable, Alias("command.screen")]
    public sealed record Screen([property: Id(0)] IReadOnlyList<string> IndicatorCodes)
    {
        public IReadOnlyList<Indicator> Indicators => [.. IndicatorCodes.Select(c => IndicatorCatalog.Find(c)!)];

        public static Screen From(ScreeningRequest request)
        {
            var errors = FieldErrors.Of(request).Required("indicators", request.Indicators);
            foreach (var (code, index) in (request.Indicators ?? []).Select((c, i) => (c, i)))
            {
                if (code is null || IndicatorCatalog.Find(code) is null)
                {
                    errors.Add($"indicators[{index}]", $"Unknown indicator code; see GET /api/v1/indicators (catalog {IndicatorCatalog.Version}).");
                }
            }

            errors.ThrowIfAny();
            return new Screen([.. request.Indicators!.Distinct()]);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.consent")]
    public sealed record RecordConsent(
        [property: Id(0)] ConsentPurpose Purpose,
        [property: Id(1)] string? OrganizationId,
        [property: Id(2)] bool Given,
        [property: Id(3)] ConsentMethod Method)
    {
        /// <summary><paramref name="organizationExists"/> answers whether the named organization is in the directory.</summary>
        public static RecordConsent From(ConsentRequest request, bool organizationExists)
        {
            var errors = FieldErrors.Of(request).Required("purpose", request.Purpose).Required("given", request.Given).Required("method", request.Method);
            if (request.Purpose == ConsentPurpose.Share)
            {
                errors.Required("organizationId", request.OrganizationId);
                if (request.OrganizationId is { Length: > 0 } && !organizationExists)
                {
                    errors.Add("organizationId", "No such organization.");
                }
            }

            errors.ThrowIfAny();
            return new RecordConsent(
                request.Purpose!.Value, request.Purpose == ConsentPurpose.Share ? request.OrganizationId : null, request.Given!.Value, request.Method!.Value);
        }
    }

    /// <summary>
    /// An offer; without <see cref="RespondBy"/> the deadline configured for the country pair applies.
    /// <see cref="FocalPointCountries"/> are the countries that have a focal point on the platform as the directory
    /// stands (a return of a person of any other nationality goes to an embassy); null is read as every country, which
    /// leaves the focal-point-to-focal-point rule as it always was.
    /// </summary>
    [GenerateSerializer, Immutable, Alias("command.offer")]
    public sealed record Offer(
        [property: Id(0)] OrganizationRef To,
        [property: Id(1)] HandoffKind Kind,
        [property: Id(2)] IReadOnlyList<ServiceKind> Services,
        [property: Id(3)] string? Message,
        [property: Id(4)] DateTimeOffset? RespondBy,
        [property: Id(5)] string? ConsentOverrideReason,
        [property: Id(6)] IReadOnlyList<string>? FocalPointCountries = null)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(Offer);

        /// <summary><paramref name="target"/> is the directory's entry for <c>toOrganizationId</c>, null when there is none.</summary>
        public static Offer From(HandoffRequest request, OrganizationRef? target, DateTimeOffset now, IReadOnlyList<string>? focalPointCountries = null)
        {
            var errors = FieldErrors.Of(request)
                .Required("toOrganizationId", request.ToOrganizationId)
                .Required("kind", request.Kind);
            if (request.Kind == HandoffKind.Service && request.Services is not { Count: > 0 })
            {
                errors.Add("services", "A service handoff names the services asked for.");
            }

            if (request.RespondBy is { } respondBy && respondBy <= now)
            {
                errors.Add("respondBy", "Must be in the future.");
            }

            if (request.ToOrganizationId is { Length: > 0 } && target is null)
            {
                errors.Add("toOrganizationId", "No such organization.");
            }

            errors.ThrowIfAny();
            return new Offer(target!, request.Kind!.Value, [.. (request.Services ?? []).Distinct()], request.Message, request.RespondBy, request.ConsentOverrideReason, focalPointCountries);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.decline")]
    public sealed record Decline([property: Id(0)] Guid HandoffId, [property: Id(1)] string Reason)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(Decline);

        public static Decline From(Guid handoffId, ReasonRequest request)
        {
            FieldErrors.Of(request).Required("reason", request.Reason).ThrowIfAny();
            return new Decline(handoffId, request.Reason!);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.withdraw")]
    public sealed record Withdraw([property: Id(0)] Guid HandoffId, [property: Id(1)] string? Reason)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(Withdraw);

        public static Withdraw From(Guid handoffId, ReasonRequest? request)
        {
            FieldErrors.Of(request).ThrowIfAny();
            return new Withdraw(handoffId, string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.verify-nationality")]
    public sealed record VerifyNationality([property: Id(0)] NationalityOutcome Outcome, [property: Id(1)] string? Reason)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(VerifyNationality);

        public static VerifyNationality From(NationalityVerificationRequest request)
        {
            var errors = FieldErrors.Of(request).Required("outcome", request.Outcome);
            if (request.Outcome == NationalityOutcome.Rejected)
            {
                errors.Required("reason", request.Reason);
            }

            errors.ThrowIfAny();
            return new VerifyNationality(request.Outcome!.Value, request.Reason);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.plan-return")]
    public sealed record PlanReturn(
        [property: Id(0)] TravelDocument TravelDocument,
        [property: Id(1)] DateOnly PlannedFor,
        [property: Id(2)] string CrossingPoint,
        [property: Id(3)] string? Escort)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(PlanReturn);

        public static PlanReturn From(ReturnPlanRequest request)
        {
            FieldErrors.Of(request)
                .Required("travelDocument", request.TravelDocument)
                .Required("plannedFor", request.PlannedFor)
                .Required("crossingPoint", request.CrossingPoint)
                .ThrowIfAny();
            return new PlanReturn(request.TravelDocument!.Value, request.PlannedFor!.Value, request.CrossingPoint!, request.Escort);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.confirm-return")]
    public sealed record ConfirmReturn([property: Id(0)] DateTimeOffset HandedOverAt)
    {
        public static ConfirmReturn From(ReturnConfirmationRequest request)
        {
            FieldErrors.Of(request).Required("handedOverAt", request.HandedOverAt).ThrowIfAny();
            return new ConfirmReturn(request.HandedOverAt!.Value);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.record-service")]
    public sealed record RecordService([property: Id(0)] ServiceKind Service, [property: Id(1)] ServiceStatus Status, [property: Id(2)] string? Note)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(RecordService);

        public static RecordService From(ServiceRequest request)
        {
            FieldErrors.Of(request).Required("service", request.Service).Required("status", request.Status).ThrowIfAny();
            return new RecordService(request.Service!.Value, request.Status!.Value, request.Note);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.emergency-access")]
    public sealed record OpenEmergencyAccess([property: Id(0)] string Reason)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(OpenEmergencyAccess);

        public static OpenEmergencyAccess From(EmergencyAccessRequest request)
        {
            FieldErrors.Of(request).Required("reason", request.Reason).ThrowIfAny();
            return new OpenEmergencyAccess(request.Reason!);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.correct-subject")]
    public sealed record CorrectSubject([property: Id(0)] SubjectIdentity Identity)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(CorrectSubject);

        public static CorrectSubject From(SubjectCorrectionRequest request, DateTimeOffset now)
        {
            var errors = ValidateSubject(FieldErrors.Of(request), "", new SubjectInput(
                request.GivenName, request.FamilyName, request.Sex, request.DateOfBirth, request.Nationality, request.Languages), now);
            errors.ThrowIfAny();
            return new CorrectSubject(new SubjectIdentity(
                request.GivenName!.Trim(), request.FamilyName?.Trim() ?? "", request.Sex!.Value, request.DateOfBirth,
                request.Nationality!.ToUpperInvariant(), [.. request.Languages ?? []], request.Summary));
        }
    }

    /// <summary>A document for the subject compartment; its type is what its bytes show, not what the request said.</summary>
    [GenerateSerializer, Immutable, Alias("command.add-document")]
    public sealed record AddDocument([property: Id(0)] DocumentKind Kind, [property: Id(1)] string ContentType, [property: Id(2)] byte[] Content)
    {
        /// <summary>Free text and identities stay out of logs and traces (Orleans traces the messages it carries).</summary>
        public override string ToString() => nameof(AddDocument);

        public static AddDocument From(DocumentKind? kind, byte[] content, long maxBytes)
        {
            var errors = new FieldErrors().Required("kind", kind);
            var contentType = DocumentTypes.Sniff(content);
            if (content.Length == 0)
            {
                errors.Add("body", "The document is empty.");
            }
            else if (content.LongLength > maxBytes)
            {
                errors.Add("body", $"At most {maxBytes} bytes.");
            }
            else if (contentType is null)
            {
                errors.Add("body", "Not a JPEG, PNG or PDF document (judged by its content, not its Content-Type).");
            }

            errors.ThrowIfAny();
            return new AddDocument(kind!.Value, contentType!, content);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.close")]
    public sealed record Close([property: Id(0)] ClosureReason Reason)
    {
        public static Close From(CloseRequest request)
        {
            FieldErrors.Of(request).Required("reason", request.Reason).ThrowIfAny();
            return new Close(request.Reason!.Value);
        }
    }
}
