using MassTransit;
using Microsoft.Extensions.Options;
using ReferralNetwork.Contracts;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Hosting;
using ReferralNetwork.Http;
using ReferralNetwork.Identity;
using ReferralNetwork.Referrals.Recovery;
using ReferralNetwork.Subjects;

namespace ReferralNetwork.Referrals;

/// <summary>
/// One referral: the command handler of its own workflow. Refusals are <see cref="ProblemException"/>s; a
/// referral the caller may not see is "not found". <c>expectedVersion</c> is the If-Match of the request.
/// </summary>
[Alias("referral")]
public interface IReferralGrain : IGrainWithGuidKey
{
    [Alias("create")] Task<ReferralView> Create(Caller caller, ReferralCommand.Create command);

    /// <summary><see cref="Create"/>, saying whether this call created the referral or found it created with the same key and body.</summary>
    [Alias("create-once")] Task<(ReferralView View, bool Created)> CreateOnce(Caller caller, ReferralCommand.Create command);
    [Alias("get")] Task<ReferralView> Get(Caller caller);
    [Alias("history")] Task<IReadOnlyList<HistoryEntry>> GetHistory(Caller caller);

    /// <summary>The events of the history, for rebuilding a read model inside the cluster (no route exposes it; nothing of the subject).</summary>
    [Alias("events")] Task<IReadOnlyList<IReferralEvent>> Events();
    [Alias("subject")] Task<SubjectView> ReadSubject(Caller caller, AccessPurpose purpose, string? note);
    [Alias("correct-subject")] Task<ReferralView> CorrectSubject(Caller caller, int? expectedVersion, ReferralCommand.CorrectSubject command);
    [Alias("add-document")] Task<DocumentView> AddDocument(Caller caller, int? expectedVersion, ReferralCommand.AddDocument command);
    [Alias("read-document")] Task<(DocumentView Document, byte[] Content)> ReadDocument(Caller caller, Guid documentId, AccessPurpose purpose, string? note);
    [Alias("access-log")] Task<IReadOnlyList<AccessLogEntry>> GetAccessLog(Caller caller);

    /// <summary>Writes the referral and its compartment again: sealed under the current keys, nothing left in plain text.</summary>
    [Alias("reseal")] Task Reseal();

    /// <summary>Destroys the compartment's data key (retention): the person is erased; the workflow and its aggregates stay.</summary>
    [Alias("erase-subject")] Task EraseSubject();

    /// <summary>Asks the compartment to hand the match index its encoding under network key <paramref name="keyId"/> (Matching/EncodingPass).</summary>
    [Alias("encode-subject")] Task<SubjectEncodingOutcome> EncodeSubject(string keyId);
    [Alias("screen")] Task<ReferralView> Screen(Caller caller, int? expectedVersion, ReferralCommand.Screen command);
    [Alias("consent")] Task<ReferralView> RecordConsent(Caller caller, int? expectedVersion, ReferralCommand.RecordConsent command);
    [Alias("offer")] Task<HandoffView> Offer(Caller caller, int? expectedVersion, ReferralCommand.Offer command);
    [Alias("accept")] Task<ReferralView?> Accept(Caller caller, int? expectedVersion, Guid handoffId);
    [Alias("decline")] Task Decline(Caller caller, int? expectedVersion, ReferralCommand.Decline command);
    [Alias("withdraw")] Task<ReferralView> Withdraw(Caller caller, int? expectedVersion, ReferralCommand.Withdraw command);
    [Alias("verify-nationality")] Task<ReferralView> VerifyNationality(Caller caller, int? expectedVersion, ReferralCommand.VerifyNationality command);
    [Alias("plan-return")] Task<ReferralView> PlanReturn(Caller caller, int? expectedVersion, ReferralCommand.PlanReturn command);
    [Alias("confirm-return")] Task<ReferralView> ConfirmReturn(Caller caller, int? expectedVersion, ReferralCommand.ConfirmReturn command);
    [Alias("record-service")] Task<ReferralView> RecordService(Caller caller, int? expectedVersion, ReferralCommand.RecordService command);
    [Alias("emergency-access")] Task<ReferralView> OpenEmergencyAccess(Caller caller, int? expectedVersion, ReferralCommand.OpenEmergencyAccess command);
    [Alias("close")] Task<ReferralView> Close(Caller caller, int? expectedVersion, ReferralCommand.Close command);

    /// <summary>Both focal points confirmed a possible match (Matching/MatchBoard): the other side's focal point becomes a participant.</summary>
    [Alias("link")] Task Link(Guid matchId, string focalPointId, string focalPointCountry);

    /// <summary>
    /// Publishes whatever is saved but unpublished (activation alone does, for a referral a dead silo held),
    /// and brings the referral's row of the <see cref="ReferralIndex"/> up to date.
    /// </summary>
    [Alias("ensure-published")] Task EnsurePublished();

    /// <summary>
    /// The referral as it stands, for server code that must know whether its own call already went through (a return
    /// group resuming after a crash, matching deciding a re-identification); never answered to a caller, whose reach it does not check.
    /// </summary>
    [Alias("server-view")] Task<ReferralView> ServerView();

}

public sealed class ReferralGrain(
    [PersistentState("referral", ReferralsFeature.GrainStorage)] IPersistentState<ReferralState> referral,
    EventDelivery delivery,
    ReferralIndex index,
    TimeProvider time,
    IOptions<WorkflowOptions> workflow,
    WorkflowMetrics metrics,
    ILogger<ReferralGrain> logger) : Grain, IReferralGrain, IRemindable
{
    private const string ExpiryReminder = "handoff-expiry";
    private static readonly TimeSpan PublishRetry = TimeSpan.FromSeconds(5);

    // MassTransit waits for the broker to come back before a publish completes: without a bound, a broker
    // outage would keep the publish loop (and a deactivation waiting for it) hanging; the timer retries instead.
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);

    private IGrainTimer? _publishRetry;
    private Task _publishing = Task.CompletedTask;
    private bool _publishAgain;

    // The version last read from or written to storage. The publish loop runs between the turns of commands: a
    // command's events are in memory from its rule until its write returns, and must not leave before (a process
    // dying between the two would have published an event that never happened).
    private int _savedVersion;

    private ReferralState State => referral.State;

    private DateTimeOffset Now => time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The storage seal does not bind a row to its grain: a row copied under another referral's key is refused here.
        if (State.Exists && State.Id != this.GetPrimaryKey())
        {
            throw new InvalidOperationException($"The stored state of referral {this.GetPrimaryKey()} belongs to another referral.");
        }

        _savedVersion = State.Version;

        // Events saved by an activation that died before publishing them go out now.
        if (State.Unpublished.Any())
        {
            await PublishPendingAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Let a publish under way finish; whatever it cannot publish stays saved for the next activation.
        try
        {
            await _publishing.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task<ReferralView> Create(Caller caller, ReferralCommand.Create command)
    {
        if (State.Exists)
        {
            // A retried create with the same Idempotency-Key gets the same result; the key with another body is refused.
            if (command.RequestHash is not null && State.IdentifiedBy == caller.OrganizationId && State.CreateRequestHash is not null)
            {
                return State.CreateRequestHash == command.RequestHash
                    ? VisibleTo(caller).ToView()
                    : throw new ProblemException(ProblemKind.IdempotencyKeyReused, "This Idempotency-Key was used for a different request body.");
            }

            throw ProblemException.NotNow(RefusalCode.ReferralExists, "The referral already exists.");
        }

        caller.Require(CaseAction.Create);

        // The compartment is written first: a referral never exists without its subject. Should its store be down, the
        // create fails before anything of the referral is written (and its Idempotency-Key can be retried).
        await GrainFactory.Subject(this.GetPrimaryKey(), command.IdentifiedIn).Record(command.IdentifiedIn, command.Identity);
        await ChangeAsync(caller.Person, () => State.Identify(this.GetPrimaryKey(), caller, command, Now));
        return State.ToView();
    }

    public async Task<(ReferralView View, bool Created)> CreateOnce(Caller caller, ReferralCommand.Create command)
    {
        // Calls to a grain take turns: what existed when this one started is what a racing retry could not have created since.
        var existed = State.Exists;
        var view = await Create(caller, command);
        return (view, !existed);
    }

    public Task<ReferralView> Get(Caller caller) => Task.FromResult(Readable(caller).ToView());

    public Task<IReadOnlyList<HistoryEntry>> GetHistory(Caller caller) => Task.FromResult(Readable(caller).ToHistory());

    public Task<IReadOnlyList<IReferralEvent>> Events() => Task.FromResult<IReadOnlyList<IReferralEvent>>([.. State.History]);

    private ReferralState Readable(Caller caller)
    {
        var state = VisibleTo(caller);
        caller.Require(CaseAction.ReadReferrals);
        return state;
    }

    public async Task<SubjectView> ReadSubject(Caller caller, AccessPurpose purpose, string? note)
    {
        var reader = Reader(caller, purpose, note);
        return await Subject.Read(reader);
    }

    public async Task<ReferralView> CorrectSubject(Caller caller, int? expectedVersion, ReferralCommand.CorrectSubject command)
    {
        EnsureMayAct(caller, expectedVersion);
        caller.Require(CaseAction.CorrectSubject);
        State.EnsureMayCorrectSubject(caller, command.Identity.Nationality);
        var changed = await Subject.Correct(State.IdentifiedIn, command.Identity);
        if (changed.Count > 0)
        {
            await ChangeAsync(caller.Person, () => State.CorrectSubject(caller, changed, command.Identity.Nationality, command.Identity.Sex, command.Identity.DateOfBirth, Now));
        }

        return State.ToView();
    }

    public async Task<DocumentView> AddDocument(Caller caller, int? expectedVersion, ReferralCommand.AddDocument command)
    {
        EnsureMayAct(caller, expectedVersion);
        caller.Require(CaseAction.AddDocument);
        State.EnsureMayAddDocument(caller);
        var documentId = Guid.CreateVersion7();
        var document = await Subject.AddDocument(State.IdentifiedIn, documentId, command.Kind, command.ContentType, command.Content, caller.OrganizationId);
        await ChangeAsync(caller.Person, () => State.AddDocument(caller, documentId, command.Kind, Now));
        return document;
    }

    public async Task<(DocumentView Document, byte[] Content)> ReadDocument(Caller caller, Guid documentId, AccessPurpose purpose, string? note)
    {
        var reader = Reader(caller, purpose, note);
        return await Subject.ReadDocument(reader, documentId);
    }

    public async Task<IReadOnlyList<AccessLogEntry>> GetAccessLog(Caller caller)
    {
        if (VisibleTo(caller).Holder != caller.OrganizationId)
        {
            throw ProblemException.OnlyMay(RefusalCode.OnlyHolderReadsAccessLog, "Only the holder sees who read the subject.");
        }

        caller.Require(CaseAction.ReadAccessLog);

        return await Subject.AccessLog();
    }

    public async Task Reseal()
    {
        if (State.Exists)
        {
            await Subject.Reseal(State.IdentifiedIn);
            await referral.WriteStateAsync();
        }
    }

    public async Task EraseSubject()
    {
        if (State.Exists)
        {
            await Subject.Erase();
        }
    }

    public async Task<SubjectEncodingOutcome> EncodeSubject(string keyId) =>
        State.Exists ? await Subject.Encode(keyId) : SubjectEncodingOutcome.NotRecorded;

    /// <summary>The compartment, in the store of the country where the person was identified (which never changes).</summary>
    private ISubjectGrain Subject => GrainFactory.Subject(this.GetPrimaryKey(), State.IdentifiedIn);

    /// <summary>Who reads, and whether only emergency access lets them: the compartment records both.</summary>
    private SubjectReader Reader(Caller caller, AccessPurpose purpose, string? note)
    {
        if (!VisibleTo(caller).MayReadSubject(caller, Now))
        {
            // Existence is no secret to a participant, but the compartment is: same answer as for a stranger.
            throw ProblemException.NotFound();
        }

        caller.Require(CaseAction.ReadSubject);
        return new SubjectReader(caller.OrganizationId, caller.Person, purpose, note, State.ReadsByEmergencyAccess(caller, Now));
    }

    public Task<ReferralView> Screen(Caller caller, int? expectedVersion, ReferralCommand.Screen command) =>
        ChangeAsync(caller, CaseAction.Screen, expectedVersion, () => State.Screen(caller, command.Indicators, Now));

    public Task<ReferralView> RecordConsent(Caller caller, int? expectedVersion, ReferralCommand.RecordConsent command) =>
        ChangeAsync(caller, CaseAction.RecordConsent, expectedVersion, () => State.RecordConsent(caller, command.Purpose, command.OrganizationId, command.Given, command.Method, Now));

    public async Task<HandoffView> Offer(Caller caller, int? expectedVersion, ReferralCommand.Offer command)
    {
        var handoffId = Guid.CreateVersion7();
        var respondBy = command.RespondBy ?? Now + workflow.Value.DeadlineFor(State.HolderCountry, command.To.Country);
        await ChangeAsync(caller, CaseAction.Offer, expectedVersion, () => State.Offer(
            caller, handoffId, command.To, command.Kind, command.Services, command.Message, respondBy, command.ConsentOverrideReason, Now, command.FocalPointCountries));
        return State.Handoffs.Single(h => h.Id == handoffId).ToView();
    }

    /// <summary>Answers the referral as the target now sees it: it is a participant from this moment.</summary>
    public async Task<ReferralView?> Accept(Caller caller, int? expectedVersion, Guid handoffId)
    {
        await ChangeAsync(caller, CaseAction.Answer, expectedVersion, () => State.Accept(caller, handoffId, Now), handoffId);
        return State.ToView();
    }

    /// <summary>Answers nothing of the referral: a target that declines never sees it.</summary>
    public Task Decline(Caller caller, int? expectedVersion, ReferralCommand.Decline command) =>
        ChangeAsync(caller, CaseAction.Answer, expectedVersion, () => State.Decline(caller, command.HandoffId, command.Reason, Now), command.HandoffId);

    public Task<ReferralView> Withdraw(Caller caller, int? expectedVersion, ReferralCommand.Withdraw command) =>
        ChangeAsync(caller, CaseAction.Withdraw, expectedVersion, () => State.Withdraw(caller, command.HandoffId, command.Reason, Now));

    public Task<ReferralView> VerifyNationality(Caller caller, int? expectedVersion, ReferralCommand.VerifyNationality command) =>
        ChangeAsync(caller, CaseAction.VerifyNationality, expectedVersion, () => State.VerifyNationality(caller, command.Outcome, command.Reason, Now));

    public Task<ReferralView> PlanReturn(Caller caller, int? expectedVersion, ReferralCommand.PlanReturn command) =>
        ChangeAsync(caller, CaseAction.PlanReturn, expectedVersion, () => State.PlanReturn(caller, command.TravelDocument, command.PlannedFor, command.CrossingPoint, command.Escort, Now));

    public Task<ReferralView> ConfirmReturn(Caller caller, int? expectedVersion, ReferralCommand.ConfirmReturn command) =>
        ChangeAsync(caller, CaseAction.ConfirmReturn, expectedVersion, () => State.ConfirmReturn(caller, command.HandedOverAt, Now));

    public Task<ReferralView> RecordService(Caller caller, int? expectedVersion, ReferralCommand.RecordService command) =>
        ChangeAsync(caller, CaseAction.RecordService, expectedVersion, () => State.RecordService(caller, command.Service, command.Status, command.Note, Now));

    public Task<ReferralView> OpenEmergencyAccess(Caller caller, int? expectedVersion, ReferralCommand.OpenEmergencyAccess command) =>
        ChangeAsync(caller, CaseAction.EmergencyAccess, expectedVersion, () => State.OpenEmergencyAccess(caller, command.Reason, Now));

    public Task<ReferralView> Close(Caller caller, int? expectedVersion, ReferralCommand.Close command) =>
        ChangeAsync(caller, CaseAction.Close, expectedVersion, () => State.Close(caller, command.Reason, Now));

    public Task Link(Guid matchId, string focalPointId, string focalPointCountry) =>
        ChangeAsync(null, () => (object?)State.Link(matchId, focalPointId, focalPointCountry, Now) ?? State);

    public Task<ReferralView> ServerView() => Task.FromResult(State.ToView());

    public async Task EnsurePublished()
    {
        if (!State.Exists)
        {
            // A create that failed after its intent reached the index: there is no referral to publish.
            await index.ForgetAsync(this.GetPrimaryKey());
        }
        else if (!State.Unpublished.Any())
        {
            await index.SettledAsync(State.Id, State.Version);
        }
        else if (_publishRetry is null)
        {
            SchedulePublish();
        }
    }

    /// <summary>The durable timer of offer deadlines: expires what is due and sets itself for the next one.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder && State.Exists)
        {
            if (State.NextDeadline <= Now)
            {
                await ChangeAsync(null, () => State.ExpireDue(Now));
            }
            else
            {
                await SyncExpiryReminderAsync();
            }
        }
    }

    private ReferralState VisibleTo(Caller caller) =>
        State.IsVisibleTo(caller.OrganizationId) ? State : throw ProblemException.NotFound();

    private async Task<ReferralView> ChangeAsync(Caller caller, CaseAction action, int? expectedVersion, Func<object> rule, Guid? answeringHandoff = null)
    {
        EnsureMayAct(caller, expectedVersion, answeringHandoff);
        caller.Require(action);
        await ChangeAsync(caller.Person, rule);
        return State.ToView();
    }

    private void EnsureMayAct(Caller caller, int? expectedVersion, Guid? answeringHandoff = null)
    {
        var mayAct = State.IsVisibleTo(caller.OrganizationId)
            || answeringHandoff is { } handoff && State.IsOfferedTo(caller.OrganizationId, handoff);
        if (!mayAct)
        {
            throw ProblemException.NotFound();
        }

        Preconditions.Check(expectedVersion, State.Version);
    }

    /// <summary>
    /// Applies a rule, then saves state and the events it recorded in one write and publishes them. Rules check
    /// before they change anything; should the write itself fail, the state is read back so that nothing
    /// unacknowledged stays in memory. The events recorded remember <paramref name="person"/> (null: a system or the
    /// platform itself) in the state, never in the events.
    /// </summary>
    private async Task ChangeAsync(string? person, Func<object> rule)
    {
        var before = State.Version;
        var deadlineBefore = State.NextDeadline;
        try
        {
            rule();
        }
        catch (Exception ex) when (ex is not ProblemException)
        {
            // A refusal changes nothing by construction; anything else may have left the state half-changed.
            await ReloadOrDeactivateAsync();
            throw;
        }

        if (State.Version == before)
        {
            return;
        }

        State.RecordActingPerson(before, person);

        try
        {
            // The intent reaches the index first: should the process die after the state is written and before
            // its events are published, the recovery sweep finds this referral there.
            await index.RecordAsync(this.GetPrimaryKey(), State.Version);
            await referral.WriteStateAsync();
            _savedVersion = State.Version;
        }
        catch
        {
            await ReloadOrDeactivateAsync();
            throw;
        }

        // Counted here, where each event comes into being once, and not where it is published (perhaps more than once).
        metrics.Saved(State.History.Skip(before), handoff => State.Handoffs.FirstOrDefault(h => h.Id == handoff)?.OfferedAt);

        if (State.NextDeadline != deadlineBefore)
        {
            await SyncExpiryReminderAsync();
        }

        SchedulePublish();
    }

    /// <summary>
    /// The change is durable once written, so the caller need not wait for the broker: events are published
    /// right after the call returns, by one loop per activation that takes everything pending.
    /// </summary>
    private void SchedulePublish()
    {
        if (!_publishing.IsCompleted)
        {
            _publishAgain = true;
            return;
        }

        _publishing = PublishLoopAsync();
    }

    private async Task PublishLoopAsync()
    {
        do
        {
            _publishAgain = false;
            await PublishPendingAsync();
        }
        while (_publishAgain && _publishRetry is null);
    }

    private async Task ReloadOrDeactivateAsync()
    {
        try
        {
            await referral.ReadStateAsync();
            _savedVersion = State.Version;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Referral {ReferralId} could not reload its state after a failed write; deactivating", this.GetPrimaryKey());
            DeactivateOnIdle();
        }
    }

    private async Task SyncExpiryReminderAsync()
    {
        if (State.NextDeadline is { } deadline)
        {
            var due = deadline - Now;
            await this.RegisterOrUpdateReminder(ExpiryReminder, due > TimeSpan.Zero ? due : TimeSpan.Zero, workflow.Value.ExpiryCheckPeriod);
        }
        else if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>
    /// Publishes what is saved but not yet published. A failure does not undo the acknowledged change:
    /// the events stay pending and a timer retries until the bus takes them (at least once; consumers
    /// are idempotent on referral id and event number).
    /// </summary>
    private async Task PublishPendingAsync()
    {
        try
        {
            // In order, so that consumers mostly see a referral's events as they happened.
            foreach (var @event in State.Unpublished.Where(e => e.Number <= _savedVersion).ToList())
            {
                using var timeout = new CancellationTokenSource(PublishTimeout);
                await delivery.PublishAsync(@event, timeout.Token);
                State.PublishedThrough = Math.Max(State.PublishedThrough, @event.Number);
            }

            index.Published(State.Id, State.PublishedThrough);
            _publishRetry?.Dispose();
            _publishRetry = null;
        }
        catch (Exception ex)
        {
            // Any failure, a timeout or a cancellation from inside the bus as well (its connection dropped): unlogged and
            // without a timer, the events would wait for the referral's next change or the recovery sweep.
            logger.LogWarning(ex, "Publishing events of referral {ReferralId} failed; retrying in {Delay}", State.Id, PublishRetry);
            _publishRetry ??= this.RegisterGrainTimer(
                _ => PublishPendingAsync(),
                new GrainTimerCreationOptions(PublishRetry, PublishRetry) { Interleave = false });
        }
    }
}
