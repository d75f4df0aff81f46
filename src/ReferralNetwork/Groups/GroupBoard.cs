using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;
using ReferralNetwork.Storage;

namespace ReferralNetwork.Groups;

/// <summary>
/// The group operations as the API and the web console both run them: a request checked into its command (with what the
/// directory says), then the group's own call. One path, so that a page can never allow what a route refuses.
/// </summary>
public sealed class GroupBoard(IGrainFactory grains, PlatformDbContext db, TimeProvider time)
{
    public IGroupGrain Group(Guid id) => grains.GetGrain<IGroupGrain>(id);

    /// <summary>The groups of the caller's organization, newest first: those it holds and those offered to it.</summary>
    public Task<IReadOnlyList<GroupSummary>> ListAsync(Caller caller)
    {
        caller.Require(CaseAction.ReadReferrals);
        return grains.GetGrain<IGroupListGrain>(caller.OrganizationId).List();
    }

    public Task<GroupView> GetAsync(Caller caller, Guid id) => Group(id).Get(caller);

    /// <summary>A new group of referrals the caller's organization holds, of one nationality (a group of its own id).</summary>
    public Task<GroupView> CreateAsync(Caller caller, CreateGroupRequest request) =>
        Group(Guid.CreateVersion7()).Create(caller, GroupCommand.Create.From(request));

    /// <summary>
    /// The people the caller's organization's own groups hold open (whom a new group would be refused): one read per
    /// group, never one per person, so that a page listing hundreds of people can leave them out.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> HeldOpenAsync(Caller caller)
    {
        var held = (await ListAsync(caller)).Where(g => g.Holder == caller.OrganizationId);
        var views = await Task.WhenAll(held.Select(g => GetAsync(caller, g.Id)));
        return views.Where(v => v.WithdrawnAt is null)
            .SelectMany(v => v.Members).Where(m => GroupMember.HoldsOpen(m.Status)).Select(m => m.ReferralId).ToHashSet();
    }

    public async Task<GroupView> OfferAsync(Caller caller, Guid id, int? expectedVersion, GroupOfferRequest request, CancellationToken cancellationToken)
    {
        var command = GroupCommand.Offer.From(
            request, await WorkflowEndpoints.TargetAsync(db, request.ToOrganizationId, cancellationToken), time.GetUtcNow(),
            await WorkflowEndpoints.FocalPointCountriesAsync(db, cancellationToken));
        return await Group(id).Offer(caller, expectedVersion, command);
    }

    public Task<GroupView> AnswerAsync(Caller caller, Guid id, int? expectedVersion, GroupAnswerRequest? request, bool decline) =>
        Group(id).Answer(caller, expectedVersion, GroupCommand.Answer.From(request, decline));

    public Task<GroupView> VerifyAsync(Caller caller, Guid id, int? expectedVersion, GroupVerificationRequest request) =>
        Group(id).Verify(caller, expectedVersion, GroupCommand.Verify.From(request));

    public Task<GroupView> PlanAsync(Caller caller, Guid id, int? expectedVersion, GroupReturnPlanRequest request) =>
        Group(id).Plan(caller, expectedVersion, GroupCommand.Plan.From(request));

    public Task<GroupView> WithdrawAsync(Caller caller, Guid id, int? expectedVersion, GroupWithdrawRequest? request) =>
        Group(id).Withdraw(caller, expectedVersion, GroupCommand.Withdraw.From(request));

    public Task<GroupView> HandoverAsync(Caller caller, Guid id, int? expectedVersion, GroupHandoverRequest request) =>
        Group(id).Handover(caller, expectedVersion, GroupCommand.Handover.From(request));

    /// <summary>
    /// The handover manifest, each line a subject read recorded in that person's access log (by the group). Only for a
    /// caller with the <c>subject:read</c> scope (the API's route requires it): anyone else is refused before the group is asked.
    /// </summary>
    public Task<GroupManifest> ManifestAsync(Caller caller, Guid id) =>
        caller.Has(Scopes.SubjectRead)
            ? Group(id).Manifest(caller)
            : throw Http.ProblemException.OnlyMay(Http.RefusalCode.RoleDoesNotAllow, "Reading the manifest needs the subject:read scope.");
}
