using MassTransit;
using ReferralNetwork.Contracts.Api;
using ReferralNetwork.Identity;
using ReferralNetwork.Infrastructure;

namespace ReferralNetwork.Referrals;

/// <summary>One referral. Refusals are <see cref="ProblemException"/>s; a referral the caller may not see is "not found".</summary>
[Alias("referral")]
public interface IReferralGrain : IGrainWithGuidKey
{
    [Alias("create")]
    Task<ReferralView> Create(Caller caller, CreateReferralRequest request, string? requestHash);

    [Alias("get")]
    Task<ReferralView> Get(Caller caller);

    [Alias("history")]
    Task<IReadOnlyList<HistoryEntry>> GetHistory(Caller caller);

    [Alias("subject")]
    Task<SubjectView> ReadSubject(Caller caller, string reason);
}

public sealed class ReferralGrain(
    [PersistentState("referral", StorageNames.Referrals)] IPersistentState<ReferralState> referral,
    [PersistentState("subject", StorageNames.Subjects)] IPersistentState<SubjectState> subject,
    IBus bus,
    TimeProvider time,
    ILogger<ReferralGrain> logger) : Grain, IReferralGrain
{
    private static readonly TimeSpan PublishRetry = TimeSpan.FromSeconds(5);
    private IGrainTimer? _publishRetry;

    private ReferralState State => referral.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Events saved by an activation that died before publishing them go out now.
        if (State.Unpublished.Any())
        {
            await PublishPendingAsync();
        }
    }

    public async Task<ReferralView> Create(Caller caller, CreateReferralRequest request, string? requestHash)
    {
        if (State.Exists)
        {
            // A retried create with the same Idempotency-Key gets the same result; the key with another body is refused.
            if (requestHash is not null && State.IdentifiedBy == caller.OrganizationId && State.CreateRequestHash is not null)
            {
                return State.CreateRequestHash == requestHash
                    ? VisibleTo(caller).ToView()
                    : throw new ProblemException(ProblemKind.IdempotencyKeyReused, "This Idempotency-Key was used for a different request body.");
            }

            throw new ProblemException(ProblemKind.TransitionNotAllowed, "The referral already exists.");
        }

        // The compartment is written first: a referral never exists without its subject.
        subject.State = SubjectState.From(request);
        await subject.WriteStateAsync();
        State.Identify(this.GetPrimaryKey(), caller, request, requestHash, time.GetUtcNow());
        await SaveAndPublishAsync();
        return State.ToView();
    }

    public Task<ReferralView> Get(Caller caller) => Task.FromResult(VisibleTo(caller).ToView());

    public Task<IReadOnlyList<HistoryEntry>> GetHistory(Caller caller) => Task.FromResult(VisibleTo(caller).ToHistory());

    public async Task<SubjectView> ReadSubject(Caller caller, string reason)
    {
        VisibleTo(caller);
        if (State.Holder != caller.OrganizationId)
        {
            // Participants get access through consent (the workflow issue); until then only the holder reads.
            throw ProblemException.NotFound();
        }

        // Recorded before anything is returned: no unaudited read.
        subject.State.Accesses.Add(new SubjectAccess(caller.OrganizationId, time.GetUtcNow(), reason));
        await subject.WriteStateAsync();
        return subject.State.ToView(State.Id);
    }

    private ReferralState VisibleTo(Caller caller) =>
        State.IsVisibleTo(caller.OrganizationId) ? State : throw ProblemException.NotFound();

    private async Task SaveAndPublishAsync()
    {
        await referral.WriteStateAsync();
        await PublishPendingAsync();
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
            foreach (var @event in State.Unpublished.ToList())
            {
                await bus.Publish(@event, @event.GetType());
                State.PublishedThrough = @event.Number;
            }

            _publishRetry?.Dispose();
            _publishRetry = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Publishing events of referral {ReferralId} failed; retrying in {Delay}", State.Id, PublishRetry);
            _publishRetry ??= this.RegisterGrainTimer(
                _ => PublishPendingAsync(),
                new GrainTimerCreationOptions(PublishRetry, PublishRetry) { Interleave = false });
        }
    }
}

public static class StorageNames
{
    public const string Referrals = "referrals";
    public const string Subjects = "subjects";
}
