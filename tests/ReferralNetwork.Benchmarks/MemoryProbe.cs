using System.Diagnostics;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace ReferralNetwork.Benchmarks;

/// <summary>
/// Forces a full, blocking GC in another .NET process and reads the size of what survived, without any hook in
/// that process: the runtime's diagnostics port (the one dotnet-gcdump uses) starts an EventPipe session, and
/// enabling the GCHeapCollect keyword makes the runtime induce a gen-2 GC; its GCHeapStats event carries the
/// generation sizes after that GC, i.e. the live heap.
/// </summary>
public static class MemoryProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Forces two full GCs (the second collects what waited for finalizers after the first) and returns the heap after the second.</summary>
    public static async Task<GcHeap> LiveHeapAsync(int pid)
    {
        await ForceFullGcAsync(pid);
        return await ForceFullGcAsync(pid);
    }

    private static async Task<GcHeap> ForceFullGcAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using var session = await client.StartEventPipeSessionAsync(
            [new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, keywords)],
            requestRundown: false,
            circularBufferMB: 16,
            CancellationToken.None);
        using var source = new EventPipeEventSource(session.EventStream);
        var result = new TaskCompletionSource<GcHeap>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inducedFullGc = false;
        source.Clr.GCStart += e => inducedFullGc |= e.Depth == 2 && e.Reason == GCReason.Induced;
        source.Clr.GCHeapStats += e =>
        {
            if (inducedFullGc)
            {
                result.TrySetResult(new GcHeap(
                    e.TotalHeapSize, e.GenerationSize0, e.GenerationSize1, e.GenerationSize2, e.GenerationSize3, e.GenerationSize4, e.GCHandleCount, e.PinnedObjectCount));
            }
        };

        var processing = Task.Run(source.Process);
        var watch = Stopwatch.StartNew();
        var finished = await Task.WhenAny(result.Task, Task.Delay(Timeout));
        await session.StopAsync(CancellationToken.None);
        await processing;
        return finished == result.Task
            ? await result.Task
            : throw new TimeoutException($"No induced full GC was reported by process {pid} within {watch.Elapsed.TotalSeconds:0} s.");
    }
}
