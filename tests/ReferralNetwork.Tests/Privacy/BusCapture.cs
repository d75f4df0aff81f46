using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using ReferralNetwork.Tests.Support;

namespace ReferralNetwork.Tests.Privacy;

/// <summary>One message as it crossed the bus: how it was seen (published, sent, received) and its bytes.</summary>
public sealed record CapturedMessage(long Sequence, string Seen, string MessageType, byte[] Bytes);

/// <summary>
/// Everything that crosses the platform's bus, whichever transport it uses: each message published or sent,
/// as JSON with its headers (what a broker or a consumer in another process would get), and each message
/// received, as the body bytes the transport delivered. Observers registered in the container are connected
/// by MassTransit when it builds the bus, in-memory or RabbitMQ alike.
/// </summary>
public sealed class BusCapture : IPublishObserver, ISendObserver, IReceiveObserver
{
    private readonly ConcurrentQueue<CapturedMessage> _messages = new();
    private long _sequence;

    public IReadOnlyCollection<CapturedMessage> Messages => _messages;

    /// <summary>For <see cref="PlatformFactory.TestServices"/>.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddPublishObserver(_ => this);
        services.AddSendObserver(_ => this);
        services.AddReceiveObserver(_ => this);
    }

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Outgoing("published", context);

    public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    public Task PreSend<T>(SendContext<T> context) where T : class => Outgoing("sent", context);

    public Task PostSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;

    public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    public Task PreReceive(ReceiveContext context)
    {
        // The body as the transport carries it, whatever serializer produced it.
        Add("received", context.ContentType?.MediaType ?? "?", context.Body.GetBytes());
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan elapsed, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;

    private Task Outgoing<T>(string seen, SendContext<T> context) where T : class
    {
        var headers = context.Headers.GetAll().Select(h => new { h.Key, Value = h.Value?.ToString() }).ToList();
        var json = JsonSerializer.Serialize(new { message = (object)context.Message, headers }, PlatformFactory.JsonOptions);
        Add(seen, typeof(T).FullName ?? typeof(T).Name, Encoding.UTF8.GetBytes(json));
        return Task.CompletedTask;
    }

    private void Add(string seen, string type, byte[] bytes) =>
        _messages.Enqueue(new CapturedMessage(Interlocked.Increment(ref _sequence), seen, type, bytes));
}
