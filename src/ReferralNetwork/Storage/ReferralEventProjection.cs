using System.Reflection;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReferralNetwork.Contracts;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Storage;

/// <summary>
/// A read model built from referral events into the platform database. A projection only changes the scope's context;
/// <see cref="ReferralProjections"/> applies every projection of an event in that one context and saves them together,
/// each with its marker (projection, referral, number), so any number of projections consume the same events
/// independently and a redelivered event is skipped by those that have it.
/// </summary>
public abstract class ReferralEventProjection
{
    /// <summary>Part of every marker: renaming a projection rebuilds it.</summary>
    public abstract string Name { get; }

    /// <summary>Whether the projection applies events of this kind (all of them unless it says otherwise).</summary>
    public virtual bool Applies(IReferralEvent e) => true;

    /// <summary>
    /// Applies the event to the context, without saving it. An <see cref="EventAheadException"/>, thrown before any
    /// change, holds back this projection alone: the others' changes are saved and the event is retried for it. Any
    /// other exception undoes every projection's change and retries the event.
    /// </summary>
    public abstract Task ApplyAsync(IReferralEvent e, CancellationToken cancellationToken);

    /// <summary>After the save that applied the event (for work that waits on the rows, such as the webhook sender).</summary>
    public virtual void Saved(IReferralEvent e)
    {
    }
}

/// <summary>
/// The one consumer of referral events for all the read models of this process: one scope, one context, one query for
/// the markers and one save for every projection of an event (on SQLite through the <see cref="PlatformWriter"/>, which
/// commits many events together). Before it, each projection was a consumer of its own with its own context, query and
/// save; on RabbitMQ, a queue of its own.
/// </summary>
public sealed class ReferralProjections(
    IEnumerable<ReferralEventProjection> projections, PlatformDbContext db, EventDelivery delivery, PlatformWriter writer, TimeProvider time) :
    IConsumer<ReferralIdentified>, IConsumer<ReferralScreened>, IConsumer<ConsentRecorded>, IConsumer<HandoffOffered>,
    IConsumer<HandoffAccepted>, IConsumer<HandoffDeclined>, IConsumer<HandoffWithdrawn>, IConsumer<HandoffExpired>,
    IConsumer<NationalityVerified>, IConsumer<NationalityRejected>, IConsumer<ReturnPlanned>, IConsumer<ReturnConfirmed>,
    IConsumer<ServiceRecorded>, IConsumer<EmergencyAccessOpened>, IConsumer<ReferralClosed>,
    IConsumer<SubjectCorrected>, IConsumer<SubjectDocumentAdded>, IConsumer<ReferralLinked>
{
    public Task Consume(ConsumeContext<ReferralIdentified> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<ReferralScreened> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<ConsentRecorded> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<HandoffOffered> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<HandoffAccepted> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<HandoffDeclined> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<HandoffWithdrawn> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<HandoffExpired> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<NationalityVerified> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<NationalityRejected> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<ReturnPlanned> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<ReturnConfirmed> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<ServiceRecorded> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<EmergencyAccessOpened> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<ReferralClosed> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<SubjectCorrected> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<SubjectDocumentAdded> context) => ConsumeAsync(context);
    public Task Consume(ConsumeContext<ReferralLinked> context) => ConsumeAsync(context);

    /// <summary>How often an event that came before the one it needs goes to the back of the queue before it fails.</summary>
    private const int MaxRequeues = 20;

    private const string RequeuesHeader = "RN-Requeues";

    private static readonly TimeSpan RequeueDelay = TimeSpan.FromMilliseconds(50);

    private async Task ConsumeAsync<T>(ConsumeContext<T> context) where T : class, IReferralEvent
    {
        var requeues = context.Headers.Get(RequeuesHeader, default(int?)) ?? 0;
        try
        {
            await ApplyAsync(context.Message, null, context.CancellationToken);
        }
        catch (EventAheadException) when (requeues < MaxRequeues)
        {
            // Its referral's events are applied in the order of the queue, so the event it needs can only be behind it
            // (an event moved back from the _error queue, say): it goes to the back, and that one passes meanwhile. Should
            // the other never come, the last attempt's exception takes the retries and then the _error queue.
            await Task.Delay(RequeueDelay * (requeues + 1), time, context.CancellationToken);
            var input = await context.GetSendEndpoint(context.ReceiveContext.InputAddress);
            await input.Send(context.Message, send => send.Headers.Set(RequeuesHeader, requeues + 1), context.CancellationToken);
            return;
        }

        delivery.Applied(GetType(), context.Message);
    }

    /// <summary>Applies the event once to every projection, or to the one named (how a rebuild replays a history).</summary>
    public async Task ApplyAsync(IReferralEvent e, string? only, CancellationToken cancellationToken)
    {
        var due = projections.Where(p => (only is null || p.Name == only) && p.Applies(e)).ToList();
        if (due.Count == 0)
        {
            return;
        }

        var applied = await AppliedAsync(db, e, due.Select(p => p.Name).ToArray(), cancellationToken);
        due.RemoveAll(p => applied.Contains(p.Name));
        if (due.Count == 0)
        {
            return;
        }

        EventAheadException? ahead = null;
        foreach (var projection in due.ToList())
        {
            try
            {
                await projection.ApplyAsync(e, cancellationToken);
                db.Set<ProcessedEvent>().Add(new ProcessedEvent { Projection = projection.Name, ReferralId = e.ReferralId, Number = e.Number });
            }
            catch (EventAheadException early)
            {
                // Across silos an event can overtake the one before it: only the projection that needs that one waits.
                ahead ??= early;
                due.Remove(projection);
            }
        }

        if (due.Count > 0)
        {
            // Should the same event be applied twice at once, a marker's key refuses the second save, which is retried.
            await writer.SaveChangesAsync(db, cancellationToken);
            foreach (var projection in due)
            {
                projection.Saved(e);
            }
        }

        if (ahead is not null)
        {
            throw ahead;
        }
    }

    /// <summary>Those of the projections named that have applied the event (one lookup of the markers' key per name).</summary>
    public static async Task<HashSet<string>> AppliedAsync(PlatformDbContext db, IReferralEvent e, string[] names, CancellationToken cancellationToken) =>
        (await db.Set<ProcessedEvent>()
            .Where(p => names.Contains(p.Projection) && p.ReferralId == e.ReferralId && p.Number == e.Number)
            .Select(p => p.Projection).ToListAsync(cancellationToken))
        .ToHashSet(StringComparer.Ordinal);
}

/// <summary>
/// A failing event is retried in place for about five minutes (a database restart or failover, an event overtaking the
/// one before it) before it goes to the consumer's <c>_error</c> queue, from which an operator moves it back once the
/// cause is fixed.
/// </summary>
public sealed class ReferralProjectionsDefinition : ConsumerDefinition<ReferralProjections>
{
    /// <summary>Referrals projected at once by one process (each partition applies its referrals' events one after the other).</summary>
    internal const int Partitions = 16;

    private static readonly MethodInfo PartitionMethod =
        typeof(ReferralProjectionsDefinition).GetMethod(nameof(PartitionByReferral), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// A referral's events are applied one at a time, in the order the queue holds them (the order its grain published
    /// them). On RabbitMQ one silo at a time consumes the queue (a single active consumer; another takes over when it
    /// goes), so two silos never apply two events of one referral at once; inside the process, events are partitioned by
    /// referral as they come off the queue, and a retry holds its partition. Before, a referral's next event overtook
    /// the one before it on the other silo or on another thread, collided with it in the database, and was retried:
    /// work thrown away.
    /// </summary>
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ReferralProjections> consumerConfigurator, IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SingleActiveConsumer = true;
        }

        endpointConfigurator.PrefetchCount = Partitions * 2;
        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        foreach (var consumed in typeof(ReferralProjections).GetInterfaces()
                     .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)))
        {
            PartitionMethod.MakeGenericMethod(consumed.GetGenericArguments()[0]).Invoke(null, [endpointConfigurator, partitioner]);
        }

        RetryInPlace(consumerConfigurator);
    }

    private static void PartitionByReferral<T>(IReceiveEndpointConfigurator endpoint, IPartitioner partitioner) where T : class, IReferralEvent =>
        endpoint.UsePartitioner<T>(partitioner, c => c.Message.ReferralId);

    /// <summary>About five minutes of retries in place, then the consumer's <c>_error</c> queue.</summary>
    internal static void RetryInPlace<T>(IConsumerConfigurator<T> consumer) where T : class =>
        consumer.UseMessageRetry(r =>
            r.Exponential(retryLimit: 16, minInterval: TimeSpan.FromMilliseconds(100), maxInterval: TimeSpan.FromSeconds(30), intervalDelta: TimeSpan.FromMilliseconds(200)));
}

public static class ReferralProjectionRegistration
{
    /// <summary>A read model of referral events, applied by <see cref="ReferralProjections"/> in the scope's context.</summary>
    public static IServiceCollection AddReferralProjection<TProjection>(this IServiceCollection services)
        where TProjection : ReferralEventProjection
    {
        services.AddScoped<TProjection>();
        services.AddScoped<ReferralEventProjection>(provider => provider.GetRequiredService<TProjection>());
        return services;
    }
}

/// <summary>
/// An event that a projection cannot apply yet, because an event before it has not reached it (possible across silos);
/// thrown before the projection changes anything. The event is retried for that projection alone.
/// </summary>
public sealed class EventAheadException(IReferralEvent e, string waitingFor)
    : InvalidOperationException($"Event {e.Number} of referral {e.ReferralId} arrived before {waitingFor}.");

/// <summary>An event a projection has applied.</summary>
public sealed class ProcessedEvent
{
    public required string Projection { get; init; }

    public Guid ReferralId { get; init; }

    public int Number { get; init; }
}

internal sealed class ProcessedEventConfiguration : IEntityTypeConfiguration<ProcessedEvent>
{
    public void Configure(EntityTypeBuilder<ProcessedEvent> e)
    {
        e.ToTable("ProcessedEvents");
        e.HasKey(p => new { p.Projection, p.ReferralId, p.Number });
        e.Property(p => p.Projection).HasMaxLength(64);
    }
}
