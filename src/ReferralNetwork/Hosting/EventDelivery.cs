using System.Collections.Concurrent;
using MassTransit;
using ReferralNetwork.Contracts;

namespace ReferralNetwork.Hosting;

/// <summary>How <see cref="EventDelivery"/> decides that a published event is delivered.</summary>
public sealed class EventDeliveryOptions
{
    /// <summary>
    /// The embedded profile's in-memory bus keeps messages in memory only: a publish there is delivered once
    /// every projection of the process has applied the event, not when the bus took it.
    /// </summary>
    public bool AwaitLocalProjections { get; init; }

    /// <summary>The projections of this process (each applies an event once, and says so).</summary>
    public IReadOnlyList<Type> LocalProjections { get; init; } = [];

    /// <summary>How long a publish waits for the local projections before it counts as not delivered (and is retried).</summary>
    public TimeSpan LocalTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Publishes referral events and answers only when each is delivered: taken by the broker with a publisher
/// confirm (RabbitMQ, durable queues), or, on the in-memory bus, applied by every local projection. A
/// referral marks an event published only after this answers, so an event lost in flight (a process killed
/// with messages in memory) is still unpublished in its history and goes out again.
/// </summary>
public sealed class EventDelivery(IBus bus, EventDeliveryOptions options)
{
    private readonly ConcurrentDictionary<(Guid Referral, int Number), Pending> _pending = new();
    private readonly ConcurrentDictionary<Type, int> _consumers = new();

    public async Task PublishAsync(IReferralEvent @event, CancellationToken cancellationToken)
    {
        var expected = options.AwaitLocalProjections ? ProjectionsOf(@event.GetType()) : 0;
        if (expected == 0)
        {
            await TakenAsync(@event, cancellationToken);
            return;
        }

        var key = (@event.ReferralId, @event.Number);
        var pending = _pending.GetOrAdd(key, _ => new Pending(expected));
        try
        {
            await TakenAsync(@event, cancellationToken);
            // The bus has the message: from here the wait is for the projections, on its own clock.
            await pending.Completion.WaitAsync(options.LocalTimeout, CancellationToken.None);
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<(Guid, int), Pending>(key, pending));
        }
    }

    /// <summary>
    /// The bus takes the event, within the caller's bound even if the bus itself stops listening to the token (a
    /// publish caught in a broker's shutdown may never answer): a referral's publish loop must not hang on it.
    /// </summary>
    private Task TakenAsync(IReferralEvent @event, CancellationToken cancellationToken) =>
        bus.Publish(@event, @event.GetType(), cancellationToken).WaitAsync(cancellationToken);

    /// <summary>A projection applied the event (or found it applied before).</summary>
    public void Applied(Type projection, IReferralEvent @event)
    {
        if (_pending.TryGetValue((@event.ReferralId, @event.Number), out var pending))
        {
            pending.Applied(projection);
        }
    }

    private int ProjectionsOf(Type eventType) => _consumers.GetOrAdd(eventType, type =>
        options.LocalProjections.Count(p => typeof(IConsumer<>).MakeGenericType(type).IsAssignableFrom(p)));

    private sealed class Pending(int expected)
    {
        private readonly HashSet<Type> _applied = [];
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completion => _completion.Task;

        public void Applied(Type projection)
        {
            lock (_applied)
            {
                if (_applied.Add(projection) && _applied.Count >= expected)
                {
                    _completion.TrySetResult();
                }
            }
        }
    }
}
