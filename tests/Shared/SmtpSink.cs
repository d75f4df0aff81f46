using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace ReferralNetwork.Testing;

/// <summary>
/// A local SMTP server that accepts every message and keeps it (RFC 5321's minimum: EHLO/HELO, MAIL, RCPT, DATA,
/// QUIT; no TLS, no authentication), so that a test reads what the platform e-mailed. Loopback only.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<Mail> _received = Channel.CreateUnbounded<Mail>();
    private readonly Task _accepting;

    public SmtpSink()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The next message received, or an exception after <paramref name="timeout"/>.</summary>
    public async Task<Mail> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        return await _received.Reader.ReadAsync(cancel.Token);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ConverseAsync(client));
        }
    }

    private async Task ConverseAsync(TcpClient client)
    {
        using var _ = client;
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink ESMTP");
        var recipients = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-sink");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "RCPT":
                    recipients.Add(line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.LastIndexOf('>')]);
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End with <CRLF>.<CRLF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } body && body != ".")
                    {
                        data.Append(body.StartsWith("..", StringComparison.Ordinal) ? body[1..] : body).Append("\r\n");
                    }

                    _received.Writer.TryWrite(new Mail([.. recipients], data.ToString()));
                    recipients.Clear();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 Bye");
                    return;
                default: // HELO, MAIL, RSET, NOOP
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    /// <summary>A message as it travelled: its recipients and its raw content (headers and body, possibly encoded).</summary>
    public sealed record Mail(IReadOnlyList<string> To, string Raw);
}
