using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals;

namespace ReferralNetwork.Groups;

[Alias("group")]
public interface IGroupGrain : IGrainWithGuidKey
{
    /// <remarks>
    /// A flight's few hundred people are each read and claimed before the group exists: more than the default 30 s on a
    /// busy silo (a 250-person group timed out once). The timeout stays below <see cref="GroupClaimGrain.CreationWindow"/>,
    /// so that no claim of a group still being created can lapse.
    /// </remarks>
    [Alias("create"), ResponseTimeout("00:01:30")] Task<GroupView> Create(Caller caller, GroupCommand.Create command);

    [Alias("get")] Task<GroupView> Get(Caller caller);

    /// <summary>Starts the group's custody offer; members are offered one by one after the call returns.</summary>
    [Alias("offer")] Task<GroupView> Offer(Caller caller, int? expectedVersion, GroupCommand.Offer command);

    /// <summary>Starts the target's answer (accept or decline) for the members named, or every open offer.</summary>
    [Alias("answer")] Task<GroupView> Answer(Caller caller, int? expectedVersion, GroupCommand.Answer command);

    /// <summary>The handover manifest for the group's two sides: each line a subject read, audited per person.</summary>
    [Alias("manifest")] Task<GroupManifest> Manifest(Caller caller);

    /// <summary>The origin's verification list, for accepted members.</summary>
    [Alias("verify")] Task<GroupView> Verify(Caller caller, int? expectedVersion, GroupCommand.Verify command);

    /// <summary>The holder's return plan, for verified members.</summary>
    [Alias("plan")] Task<GroupView> Plan(Caller caller, int? expectedVersion, GroupCommand.Plan command);

    /// <summary>One side's handover manifest, for planned members.</summary>
    [Alias("handover")] Task<GroupView> Handover(Caller caller, int? expectedVersion, GroupCommand.Handover command);

    /// <summary>The holder gives the group up: open offers are withdrawn, and its members are free for another group.</summary>
    [Alias("withdraw")] Task<GroupView> Withdraw(Caller caller, int? expectedVersion, GroupCommand.Withdraw command);

    /// <summary>
    /// Whether the person is a member this group still holds (the group not withdrawn, their return not settled); null
    /// while the group does not exist.
    /// </summary>
    [Alias("holds-open"), Orleans.Concurrency.AlwaysInterleave] Task<bool?> HoldsOpen(Guid referralId);
}

/// <summary>
/// A return group, and the durable intent of what it is doing. An operation (offer, accept, decline) is saved with the
/// members it still has to reach before anyone is reached; then each member's referral gets the same call, with the same
/// rules and the same numbered events, as if a person had made it alone. The group advances in short turns (a few
/// members each, then its progress saved), so that reading it is never held up behind a flight of 500. A process that
/// dies halfway leaves the intent saved: the next activation, which the group's reminder brings about within a minute,
/// carries on where the saved progress was, and finds by each referral's own handoffs what was done after it: no person
/// is offered twice.
/// </summary>
public sealed class GroupGrain(
    [PersistentState("group", GroupsFeature.GrainStorage)] IPersistentState<GroupState> group,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<GroupOptions> options,
    ILogger<GroupGrain> logger) : Grain, IGroupGrain, IRemindable
{
    /// <summary>Members a turn reaches; a turn's calls run together, a few at a time.</summary>
    private const int PerTurn = 16;

    private const int Concurrency = 4;
    private const string Reminder = "operation";
    private static readonly TimeSpan AfterTransientFailure = TimeSpan.FromSeconds(5);

    private IGrainTimer? _next;

    private GroupState State => group.State;

    private DateTimeOffset Now => time.GetUtcNow();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.Operation is not null)
        {
            ContinueIn(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    public async Task<GroupView> Create(Caller caller, GroupCommand.Create command)
    {
        if (State.Exists)
        {
            throw ProblemException.NotNow(RefusalCode.GroupExists, "The group already exists.");
        }

        caller.Require(CaseAction.GroupOperations);
        var views = await Task.WhenAll(command.Referrals.Select(async id =>
        {
            try
            {
                return await GrainFactory.GetGrain<IReferralGrain>(id).Get(caller);
            }
            catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
            {
                return null;
            }
        }));

        // Every member must be a referral the caller's organization holds, of one nationality other than its own country.
        var errors = FieldErrors.Of(command);
        for (var i = 0; i < views.Length; i++)
        {
            if (views[i] is not { } view)
            {
                errors.Add($"referrals[{i}]", GroupCommand.Create.NoSuchReferral);
            }
            else if (view.Holder != caller.OrganizationId)
            {
                errors.Add($"referrals[{i}]", GroupCommand.Create.NotHolder);
            }
            else if (view.Nationality != views.FirstOrDefault(v => v is not null)?.Nationality)
            {
                errors.Add($"referrals[{i}]", GroupCommand.Create.OtherNationality);
            }
            else if (view.Nationality == caller.Country)
            {
                errors.Add($"referrals[{i}]", GroupCommand.Create.OwnCountry);
            }
        }

        errors.ThrowIfAny();

        // One open group per person: each is claimed before the group exists, and given back if the group is refused.
        var id = this.GetPrimaryKey();
        var claimed = new bool[command.Referrals.Count];
        foreach (var few in command.Referrals.Select((referral, index) => (referral, index)).Chunk(Concurrency))
        {
            await Task.WhenAll(few.Select(async m => claimed[m.index] = await GrainFactory.GetGrain<IGroupClaimGrain>(m.referral).Claim(id)));
        }

        if (claimed.Contains(false))
        {
            for (var i = 0; i < claimed.Length; i++)
            {
                if (claimed[i])
                {
                    await GrainFactory.GetGrain<IGroupClaimGrain>(command.Referrals[i]).Release(id);
                }
                else
                {
                    errors.Add($"referrals[{i}]", GroupCommand.Create.InAnotherGroup);
                }
            }

            errors.ThrowIfAny();
        }

        group.State = new GroupState
        {
            Id = id,
            Holder = caller.OrganizationId,
            HolderCountry = caller.Country,
            Nationality = views[0]!.Nationality,
            Label = command.Label,
            CreatedAt = Now,
            Version = 1,
            Members = [.. command.Referrals.Select(id => new GroupMember { ReferralId = id })],
        };
        await group.WriteStateAsync();
        await ListAsync(State.Holder);
        return State.ToView();
    }

    public Task<GroupView> Get(Caller caller)
    {
        caller.Require(CaseAction.ReadReferrals);
        return Task.FromResult(VisibleTo(caller).ToView());
    }

    public async Task<GroupView> Offer(Caller caller, int? expectedVersion, GroupCommand.Offer command)
    {
        EnsureMayAct(caller, expectedVersion, State.Holder == caller.OrganizationId);
        var members = State.Members.Where(m => m.Status is GroupMemberStatus.Listed or GroupMemberStatus.Declined or GroupMemberStatus.Refused).ToList();
        if (members.Count == 0)
        {
            throw ProblemException.NotNow(RefusalCode.GroupNothingToDo, "Every member's offer is open or accepted already.");
        }

        State.OfferedTo = command.To.Id;
        await StartAsync(new GroupOperation
        {
            Kind = GroupOperationKind.Offer,
            Caller = caller,
            StartedAt = Now,
            Pending = [.. members.Select(m => m.ReferralId)],
            To = command.To,
            Message = command.Message,
            RespondBy = command.RespondBy,
            FocalPointCountries = [.. command.FocalPointCountries],
        });
        return State.ToView();
    }

    public async Task<GroupView> Answer(Caller caller, int? expectedVersion, GroupCommand.Answer command)
    {
        EnsureMayAct(caller, expectedVersion, State.OfferedTo == caller.OrganizationId);
        var open = State.Members.Where(m => m.Status == GroupMemberStatus.Offered).Select(m => m.ReferralId).ToHashSet();
        var named = command.Referrals ?? [.. open];
        var errors = FieldErrors.Of(command);
        for (var i = 0; i < named.Count; i++)
        {
            if (!open.Contains(named[i]))
            {
                errors.Add($"referrals[{i}]", "Not a member of this group with an open offer.");
            }
        }

        errors.ThrowIfAny();
        if (named.Count == 0)
        {
            throw ProblemException.NotNow(RefusalCode.GroupNothingToDo, "No member of this group has an open offer.");
        }

        await StartAsync(new GroupOperation
        {
            Kind = command.Decline ? GroupOperationKind.Decline : GroupOperationKind.Accept,
            Caller = caller,
            StartedAt = Now,
            Pending = [.. named],
            Reason = command.Reason,
        });
        return State.ToView();
    }

    public Task<GroupView> Verify(Caller caller, int? expectedVersion, GroupCommand.Verify command) =>
        StartForAsync(
            caller, expectedVersion, State.OfferedTo == caller.OrganizationId, GroupOperationKind.Verify, [GroupMemberStatus.Accepted],
            command.Members.Select(m => (m.ReferralId, new GroupInstruction { Outcome = m.Outcome, Reason = m.Reason })).ToList(),
            _ => { });

    public Task<GroupView> Plan(Caller caller, int? expectedVersion, GroupCommand.Plan command) =>
        StartForAsync(
            caller, expectedVersion, State.Holder == caller.OrganizationId, GroupOperationKind.Plan, [GroupMemberStatus.Verified],
            command.Members.Select(m => (m.ReferralId, new GroupInstruction { TravelDocument = m.TravelDocument })).ToList(),
            operation => (operation.PlannedFor, operation.CrossingPoint, operation.Escort) = (command.PlannedFor, command.CrossingPoint, command.Escort));

    public Task<GroupView> Handover(Caller caller, int? expectedVersion, GroupCommand.Handover command) =>
        StartForAsync(
            caller, expectedVersion, State.Holder == caller.OrganizationId || State.OfferedTo == caller.OrganizationId, GroupOperationKind.Handover,
            [GroupMemberStatus.Planned],
            command.Members.Select(m => (m.ReferralId, new GroupInstruction { Handover = m.Outcome })).ToList(),
            operation => operation.HandedOverAt = command.HandedOverAt);

    public async Task<GroupView> Withdraw(Caller caller, int? expectedVersion, GroupCommand.Withdraw command)
    {
        EnsureMayAct(caller, expectedVersion, State.Holder == caller.OrganizationId);
        State.WithdrawnAt = Now;
        await StartAsync(new GroupOperation
        {
            Kind = GroupOperationKind.Withdraw,
            Caller = caller,
            StartedAt = Now,
            Pending = [.. State.Members.Where(m => m.Status == GroupMemberStatus.Offered).Select(m => m.ReferralId)],
            Reason = command.Reason,
        });
        return State.ToView();
    }

    public Task<bool?> HoldsOpen(Guid referralId) => Task.FromResult<bool?>(!State.Exists ? null :
        State.WithdrawnAt is null
        && State.Members.Any(m => m.ReferralId == referralId && GroupMember.HoldsOpen(m.Status)));

    /// <summary>An operation whose members each get their own instruction; every member named must be at one of <paramref name="ready"/>.</summary>
    private async Task<GroupView> StartForAsync(
        Caller caller, int? expectedVersion, bool isTheirs, GroupOperationKind kind, GroupMemberStatus[] ready,
        List<(Guid ReferralId, GroupInstruction Instruction)> members, Action<GroupOperation> configure)
    {
        EnsureMayAct(caller, expectedVersion, isTheirs);
        var errors = FieldErrors.Of(members);
        for (var i = 0; i < members.Count; i++)
        {
            if (State.Members.SingleOrDefault(m => m.ReferralId == members[i].ReferralId) is not { } member)
            {
                errors.Add($"members[{i}].referralId", "Not a member of this group.");
            }
            else if (!ready.Contains(member.Status))
            {
                errors.Add($"members[{i}].referralId", $"This member is {DashName(member.Status)}; this step is for members {string.Join(" or ", ready.Select(DashName))}.");
            }
        }

        errors.ThrowIfAny();
        var operation = new GroupOperation
        {
            Kind = kind,
            Caller = caller,
            StartedAt = Now,
            Pending = [.. members.Select(m => m.ReferralId)],
            Instructions = members.ToDictionary(m => m.ReferralId, m => m.Instruction),
        };
        configure(operation);
        await StartAsync(operation);
        return State.ToView();
    }

    public async Task<GroupManifest> Manifest(Caller caller)
    {
        VisibleTo(caller);
        caller.Require(CaseAction.ReadSubject);
        var lines = new List<GroupManifestLine>();
        var plans = new Dictionary<Guid, ReturnPlanView?>();
        var handover = State.Members.Where(m => m.Status is GroupMemberStatus.Planned or GroupMemberStatus.Returned or GroupMemberStatus.Missing or GroupMemberStatus.DeclinedReturn).ToList();
        foreach (var few in handover.Chunk(Concurrency))
        {
            lines.AddRange(await Task.WhenAll(few.Select(async member =>
            {
                var referral = GrainFactory.GetGrain<IReferralGrain>(member.ReferralId);
                var plan = plans[member.ReferralId] = (await referral.ServerView()).ReturnPlan;
                try
                {
                    // A read for the return like any other: the person's access log shows who opened the manifest, and when.
                    var subject = await referral.ReadSubject(caller, AccessPurpose.ReturnPlanning, $"Handover manifest of return group {State.Id}");
                    return new GroupManifestLine(
                        member.ReferralId, member.Status, subject.GivenName, subject.FamilyName, subject.Sex, subject.DateOfBirth, plan?.TravelDocument, member.HandoverConfirmedBy);
                }
                catch (ProblemException problem) when (problem.Kind == ProblemKind.NotFound)
                {
                    return new GroupManifestLine(member.ReferralId, member.Status, null, null, null, null, plan?.TravelDocument, member.HandoverConfirmedBy);
                }
            })));
        }

        var plan = plans.Values.FirstOrDefault(p => p is not null);
        return new GroupManifest(State.Id, State.Label, State.Nationality, plan?.PlannedFor, plan?.CrossingPoint, lines);
    }

    /// <summary>The group in an organization's list, after the group's own write: a list never shows a group that does not exist.</summary>
    private Task ListAsync(string organizationId) =>
        GrainFactory.GetGrain<IGroupListGrain>(organizationId).Put(
            new GroupSummary(State.Id, State.Label, State.Nationality, State.Holder, State.OfferedTo, State.Members.Count, State.CreatedAt));

    private static string DashName(GroupMemberStatus status) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(status.ToString());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (State.Operation is null)
        {
            // The lists again, once the group is as the operation left it (and after a crash that came between a write and a list).
            await ListAsync(State.Holder);
            if (State.OfferedTo is { } offeredTo)
            {
                await ListAsync(offeredTo);
            }

            await StopReminderAsync();
        }
        else
        {
            ContinueIn(TimeSpan.Zero);
        }
    }

    /// <summary>Who may see a group: its holder, and the organization it was offered to; to anyone else it does not exist.</summary>
    private GroupState VisibleTo(Caller caller) =>
        State.Exists && (State.Holder == caller.OrganizationId || State.OfferedTo == caller.OrganizationId)
            ? State
            : throw new ProblemException(ProblemKind.NotFound, "No such group.", code: RefusalCode.NotFound);

    private void EnsureMayAct(Caller caller, int? expectedVersion, bool isTheirs)
    {
        VisibleTo(caller);
        if (!isTheirs)
        {
            throw ProblemException.OnlyMay(RefusalCode.GroupNotYours, "Only the holder offers a group, and only the organization it was offered to answers.");
        }

        caller.Require(CaseAction.GroupOperations);
        Preconditions.Check(expectedVersion, State.Version);
        if (State.WithdrawnAt is not null)
        {
            throw ProblemException.NotNow(RefusalCode.GroupWithdrawn, "The group was withdrawn; its members can be put in a new group.");
        }

        if (State.Operation is { } running)
        {
            throw ProblemException.NotNow(RefusalCode.GroupOperationUnderWay, $"The group's {running.Kind.ToString().ToLowerInvariant()} is still reaching its members; try again once it is done.");
        }
    }

    /// <summary>The intent is saved, and the reminder set, before any member is reached.</summary>
    private async Task StartAsync(GroupOperation operation)
    {
        State.Operation = operation;
        State.Version++;
        await this.RegisterOrUpdateReminder(Reminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await group.WriteStateAsync();
        ContinueIn(TimeSpan.Zero);
    }

    private void ContinueIn(TimeSpan delay)
    {
        _next?.Dispose();
        _next = this.RegisterGrainTimer(_ => TurnAsync(), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    /// <summary>One turn: the next few members, then the progress saved; the next turn is set unless the operation is done.</summary>
    private async Task TurnAsync()
    {
        // A one-shot timer, done with once it fired (disposed at the end: disposing it cancels the turn it runs).
        using var fired = _next;
        _next = null;
        if (State.Operation is not { } operation)
        {
            return;
        }

        var batch = operation.Pending.Take(PerTurn).ToList();
        var outcomes = new List<(Guid Id, MemberOutcome Outcome)>(batch.Count);
        foreach (var few in batch.Chunk(Concurrency))
        {
            outcomes.AddRange(await Task.WhenAll(few.Select(async id => (id, await ReachAsync(operation, id)))));
        }

        var transient = 0;
        foreach (var (id, outcome) in outcomes)
        {
            if (outcome.Transient)
            {
                transient++;
                continue;
            }

            var member = State.Members.Single(m => m.ReferralId == id);
            member.Status = outcome.Status;
            member.HandoffId = outcome.HandoffId ?? member.HandoffId;
            member.Problem = outcome.Problem;
            member.HandoverConfirmedBy = outcome.HandoverConfirmedBy ?? member.HandoverConfirmedBy;
            operation.Pending.Remove(id);
        }

        if (operation.Pending.Count == 0)
        {
            State.Operation = null;
        }

        await group.WriteStateAsync();
        if (State.Operation is null)
        {
            // The lists again, once the group is as the operation left it (and after a crash that came between a write and a list).
            await ListAsync(State.Holder);
            if (State.OfferedTo is { } offeredTo)
            {
                await ListAsync(offeredTo);
            }

            await StopReminderAsync();
            logger.LogInformation("Group {GroupId}: {Kind} reached every member", State.Id, operation.Kind);
        }
        else
        {
            // Members the platform could not reach now (a store or the broker down) are tried again shortly.
            ContinueIn(transient == batch.Count ? AfterTransientFailure : options.Value.TurnPause);
        }
    }

    private readonly record struct MemberOutcome(
        GroupMemberStatus Status, Guid? HandoffId, BatchItemProblem? Problem, bool Transient = false, List<Contracts.ReturnSide>? HandoverConfirmedBy = null)
    {
        public static MemberOutcome TryAgain => new(default, null, null, Transient: true);
    }

    /// <summary>
    /// One member, through the referral's own call. What the referral's handoffs already show (the process died after the
    /// call and before the progress was saved) is taken as done, never done twice.
    /// </summary>
    private async Task<MemberOutcome> ReachAsync(GroupOperation operation, Guid referralId)
    {
        var referral = GrainFactory.GetGrain<IReferralGrain>(referralId);
        var member = State.Members.Single(m => m.ReferralId == referralId);
        try
        {
            switch (operation.Kind)
            {
                case GroupOperationKind.Offer:
                    var to = operation.To!;
                    if ((await referral.ServerView()).Handoffs.LastOrDefault(h => h.To == to.Id && h.Status == Contracts.HandoffStatus.Offered && h.OfferedAt >= operation.StartedAt) is { } made)
                    {
                        return new(GroupMemberStatus.Offered, made.Id, null);
                    }

                    var offer = new ReferralCommand.Offer(to, Contracts.HandoffKind.Custody, [], operation.Message, operation.RespondBy, null, operation.FocalPointCountries);
                    var handoff = await referral.Offer(operation.Caller, null, offer);
                    return new(GroupMemberStatus.Offered, handoff.Id, null);

                case GroupOperationKind.Accept or GroupOperationKind.Decline:
                    var handoffId = member.HandoffId!.Value;
                    var answered = operation.Kind == GroupOperationKind.Accept ? Contracts.HandoffStatus.Accepted : Contracts.HandoffStatus.Declined;
                    var status = operation.Kind == GroupOperationKind.Accept ? GroupMemberStatus.Accepted : GroupMemberStatus.Declined;
                    if ((await referral.ServerView()).Handoffs.Any(h => h.Id == handoffId && h.Status == answered))
                    {
                        return new(status, handoffId, null);
                    }

                    if (operation.Kind == GroupOperationKind.Accept)
                    {
                        await referral.Accept(operation.Caller, null, handoffId);
                    }
                    else
                    {
                        await referral.Decline(operation.Caller, null, new ReferralCommand.Decline(handoffId, operation.Reason!));
                    }

                    return new(status, handoffId, null);

                case GroupOperationKind.Verify:
                    var verification = operation.Instructions![referralId];
                    var verified = verification.Outcome == Contracts.NationalityOutcome.Confirmed ? GroupMemberStatus.Verified : GroupMemberStatus.Rejected;
                    var before = await referral.ServerView();
                    if (verified == GroupMemberStatus.Verified ? before.Stage >= Contracts.Stage.NationalityVerified : before.NationalityRejectionReason is not null)
                    {
                        return new(verified, member.HandoffId, null);
                    }

                    await referral.VerifyNationality(operation.Caller, null, new ReferralCommand.VerifyNationality(verification.Outcome!.Value, verification.Reason));
                    return new(verified, member.HandoffId, null);

                case GroupOperationKind.Plan:
                    if ((await referral.ServerView()).Stage != Contracts.Stage.ReturnPlanned)
                    {
                        await referral.PlanReturn(operation.Caller, null, new ReferralCommand.PlanReturn(
                            operation.Instructions![referralId].TravelDocument!.Value, operation.PlannedFor!.Value, operation.CrossingPoint!, operation.Escort));
                    }

                    return new(GroupMemberStatus.Planned, member.HandoffId, null);

                case GroupOperationKind.Handover:
                    var outcome = operation.Instructions![referralId].Handover!.Value;
                    if (outcome != HandoverOutcome.HandedOver)
                    {
                        // An exception of the manifest: the person stays where their referral is, for their holder to act on.
                        return new(outcome == HandoverOutcome.Missing ? GroupMemberStatus.Missing : GroupMemberStatus.DeclinedReturn, member.HandoffId, null);
                    }

                    var seen = await referral.ServerView();
                    if (!seen.ReturnConfirmations.Any(c => c.OrganizationId == operation.Caller.OrganizationId))
                    {
                        seen = await referral.ConfirmReturn(operation.Caller, null, new ReferralCommand.ConfirmReturn(operation.HandedOverAt!.Value));
                    }

                    return new(
                        seen.Stage >= Contracts.Stage.Returned ? GroupMemberStatus.Returned : GroupMemberStatus.Planned, member.HandoffId, null,
                        HandoverConfirmedBy: [.. seen.ReturnConfirmations.Select(c => c.Side).Distinct()]);

                case GroupOperationKind.Withdraw:
                    var open = member.HandoffId!.Value;
                    if ((await referral.ServerView()).Handoffs.Any(h => h.Id == open && h.Status == Contracts.HandoffStatus.Offered))
                    {
                        await referral.Withdraw(operation.Caller, null, new ReferralCommand.Withdraw(open, operation.Reason));
                    }

                    return new(GroupMemberStatus.Withdrawn, open, null);

                default:
                    throw new InvalidOperationException($"Unknown group operation {operation.Kind}.");
            }
        }
        catch (ProblemException problem)
        {
            // This person's own refusal (a rule of the workflow): the group goes on with the others. A person never offered
            // shows as refused; at a later step they stay where they were, with the problem.
            var status = operation.Kind == GroupOperationKind.Offer ? GroupMemberStatus.Refused : member.Status;
            return new(status, member.HandoffId, BatchEndpoints.ProblemOf(problem));
        }
        catch (Exception exception) when (ProblemExceptionHandler.IsUnavailable(exception))
        {
            logger.LogWarning(exception, "Group {GroupId}: referral {ReferralId} unavailable; trying again", State.Id, referralId);
            return MemberOutcome.TryAgain;
        }
    }

    private async Task StopReminderAsync()
    {
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
