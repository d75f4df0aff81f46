using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Groups;

/// <summary>What the group routes hand the grain: validated, non-nullable, as the referral commands are.</summary>
public static class GroupCommand
{
    [GenerateSerializer, Immutable, Alias("command.group-create")]
    public sealed record Create([property: Id(0)] string Label, [property: Id(1)] IReadOnlyList<Guid> Referrals)
    {
        // Why a referral is refused a place in the group (the API's words for its line; the console says them in the person's language).
        public const string NoSuchReferral = "No such referral.";
        public const string NotHolder = "Only the holder puts a referral in a return group.";
        public const string OtherNationality = "A return group holds people of one nationality; this person's differs from the first member's.";
        public const string OwnCountry = "This person is of the holder's own country: there is no return across a border to plan.";
        public const string InAnotherGroup = "This person is in another open return group; withdraw that group first, or wait until their return there is settled.";

        public override string ToString() => nameof(Create);

        public static Create From(CreateGroupRequest request)
        {
            var errors = FieldErrors.Of(request).Required("label", request.Label).Required("referrals", request.Referrals);
            if (request.Label is { } label && string.IsNullOrWhiteSpace(label))
            {
                errors.Add("label", "Required.");
            }

            if (request.Referrals is { Count: 0 })
            {
                errors.Add("referrals", $"From 1 to {Limits.GroupMembers} referrals.");
            }

            var seen = new HashSet<Guid>();
            foreach (var (id, index) in (request.Referrals ?? []).Select((id, i) => (id, i)))
            {
                if (!seen.Add(id))
                {
                    errors.Add($"referrals[{index}]", "Listed twice.");
                }
            }

            errors.ThrowIfAny();
            return new Create(request.Label!.Trim(), [.. request.Referrals!]);
        }
    }

    [GenerateSerializer, Immutable, Alias("command.group-offer")]
    public sealed record Offer(
        [property: Id(0)] OrganizationRef To,
        [property: Id(1)] string? Message,
        [property: Id(2)] DateTimeOffset? RespondBy,
        [property: Id(3)] IReadOnlyList<string> FocalPointCountries)
    {
        public override string ToString() => nameof(Offer);

        /// <summary><paramref name="target"/> is the directory's entry for <c>toOrganizationId</c>, null when there is none.</summary>
        /// <paramref name="focalPointCountries"/>: the countries with a focal point, as the directory stands (the routing rule of each member's offer).
        public static Offer From(GroupOfferRequest request, OrganizationRef? target, DateTimeOffset now, IReadOnlyList<string> focalPointCountries)
        {
            var errors = FieldErrors.Of(request).Required("toOrganizationId", request.ToOrganizationId);
            if (request.ToOrganizationId is { Length: > 0 } && target is null)
            {
                errors.Add("toOrganizationId", "No such organization.");
            }

            if (request.RespondBy is { } respondBy && respondBy <= now)
            {
                errors.Add("respondBy", "Must be in the future.");
            }

            errors.ThrowIfAny();
            return new Offer(target!, request.Message, request.RespondBy, focalPointCountries);
        }
    }

    /// <summary>Accept, or decline with a reason, the open offers of the members named (all of them when none is).</summary>
    [GenerateSerializer, Immutable, Alias("command.group-answer")]
    public sealed record Answer([property: Id(0)] bool Decline, [property: Id(1)] IReadOnlyList<Guid>? Referrals, [property: Id(2)] string? Reason)
    {
        public override string ToString() => nameof(Answer);

        public static Answer From(GroupAnswerRequest? request, bool decline)
        {
            var errors = FieldErrors.Of(request);
            if (decline)
            {
                errors.Required("reason", request?.Reason);
            }

            if (request?.Referrals is { Count: 0 })
            {
                errors.Add("referrals", "Leave it out to answer for every open offer, or name at least one member.");
            }

            errors.ThrowIfAny();
            return new Answer(decline, request?.Referrals is { } named ? [.. named.Distinct()] : null, request?.Reason);
        }
    }

    [GenerateSerializer, Immutable, Alias("group-verify-item")]
    public sealed record VerifyItem([property: Id(0)] Guid ReferralId, [property: Id(1)] NationalityOutcome Outcome, [property: Id(2)] string? Reason);

    /// <summary>The origin's verification list: each named member confirmed, or rejected with a reason.</summary>
    [GenerateSerializer, Immutable, Alias("command.group-verify")]
    public sealed record Verify([property: Id(0)] IReadOnlyList<VerifyItem> Members)
    {
        public override string ToString() => nameof(Verify);

        public static Verify From(GroupVerificationRequest request)
        {
            var errors = Listed(FieldErrors.Of(request), request.Members, item => item?.ReferralId);
            foreach (var (item, i) in (request.Members ?? []).Select((m, i) => (m, i)))
            {
                errors.Required($"members[{i}].outcome", item?.Outcome);
                if (item?.Outcome == NationalityOutcome.Rejected)
                {
                    errors.Required($"members[{i}].reason", item.Reason);
                }
            }

            errors.ThrowIfAny();
            return new Verify([.. request.Members!.Select(m => new VerifyItem(m!.ReferralId!.Value, m.Outcome!.Value, m.Reason))]);
        }
    }

    /// <summary>One return plan for the named members, each with their own travel document.</summary>
    [GenerateSerializer, Immutable, Alias("command.group-plan")]
    public sealed record Plan(
        [property: Id(0)] DateOnly PlannedFor,
        [property: Id(1)] string CrossingPoint,
        [property: Id(2)] string? Escort,
        [property: Id(3)] IReadOnlyList<(Guid ReferralId, TravelDocument TravelDocument)> Members)
    {
        public override string ToString() => nameof(Plan);

        public static Plan From(GroupReturnPlanRequest request)
        {
            var errors = Listed(FieldErrors.Of(request), request.Members, item => item?.ReferralId)
                .Required("plannedFor", request.PlannedFor)
                .Required("crossingPoint", request.CrossingPoint);
            foreach (var (item, i) in (request.Members ?? []).Select((m, i) => (m, i)))
            {
                errors.Required($"members[{i}].travelDocument", item?.TravelDocument);
            }

            errors.ThrowIfAny();
            return new Plan(request.PlannedFor!.Value, request.CrossingPoint!, request.Escort, [.. request.Members!.Select(m => (m!.ReferralId!.Value, m.TravelDocument!.Value))]);
        }
    }

    /// <summary>One side's manifest: each named member handed over, missing, or declining to return.</summary>
    [GenerateSerializer, Immutable, Alias("command.group-handover")]
    public sealed record Handover([property: Id(0)] DateTimeOffset HandedOverAt, [property: Id(1)] IReadOnlyList<(Guid ReferralId, HandoverOutcome Outcome)> Members)
    {
        public override string ToString() => nameof(Handover);

        public static Handover From(GroupHandoverRequest request)
        {
            var errors = Listed(FieldErrors.Of(request), request.Members, item => item?.ReferralId).Required("handedOverAt", request.HandedOverAt);
            foreach (var (item, i) in (request.Members ?? []).Select((m, i) => (m, i)))
            {
                errors.Required($"members[{i}].outcome", item?.Outcome);
            }

            errors.ThrowIfAny();
            return new Handover(request.HandedOverAt!.Value, [.. request.Members!.Select(m => (m!.ReferralId!.Value, m.Outcome!.Value))]);
        }
    }

    /// <summary>The holder withdraws the group; the reason, if any, goes with each open offer's withdrawal.</summary>
    [GenerateSerializer, Immutable, Alias("command.group-withdraw")]
    public sealed record Withdraw([property: Id(0)] string? Reason)
    {
        public override string ToString() => nameof(Withdraw);

        public static Withdraw From(GroupWithdrawRequest? request)
        {
            FieldErrors.Of(request).ThrowIfAny();
            return new(string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim());
        }
    }

    /// <summary>A list of members: present, not empty, each with a referral id, none twice.</summary>
    private static FieldErrors Listed<T>(FieldErrors errors, IReadOnlyList<T>? members, Func<T?, Guid?> idOf)
    {
        errors.Required("members", members);
        if (members is { Count: 0 })
        {
            errors.Add("members", $"From 1 to {Limits.GroupMembers} members.");
        }

        var seen = new HashSet<Guid>();
        foreach (var (member, i) in (members ?? []).Select((m, i) => (m, i)))
        {
            if (idOf(member) is not { } id)
            {
                errors.Add($"members[{i}].referralId", "Required.");
            }
            else if (!seen.Add(id))
            {
                errors.Add($"members[{i}].referralId", "Listed twice.");
            }
        }

        return errors;
    }
}
