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
}
