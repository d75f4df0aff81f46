using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace ReferralNetwork.Testing;

/// <summary>
/// A local SMTP server that accepts every message and keeps it (RFC 5321's minimum: EHLO/HELO, MAIL, RCPT, DATA,
/// QUIT; no TLS, no authentication), so that a test reads what the platform e-mailed. Loopback only.
/// </summary>
public sealed partial class SmtpSink : IAsyncDisposable
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
    public sealed partial record Mail(IReadOnlyList<string> To, string Raw)
    {
        /// <summary>The subject, decoded (an RFC 2047 encoded word, or plain).</summary>
        public string Subject => Decoded.Subject;

        /// <summary>The body, decoded (base64, quoted-printable or plain).</summary>
        public string Body => Decoded.Body;

        private (string Subject, string Body) Decoded
        {
            get
            {
                var split = Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                var headers = Raw[..split].Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal).Split("\r\n");
                var body = Raw[(split + 4)..];
                var subjectLine = headers.First(h => h.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))[8..].Trim();
                var words = EncodedWord().Matches(subjectLine);
                var subject = words.Count == 0 ? subjectLine : string.Concat(words.Select(m => m.Groups["enc"].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                    ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups["text"].Value))
                    : QuotedPrintable(m.Groups["text"].Value.Replace('_', ' '))));
                var encoding = headers.FirstOrDefault(h => h.StartsWith("Content-Transfer-Encoding:", StringComparison.OrdinalIgnoreCase))?[26..].Trim().ToLowerInvariant();
                var text = encoding switch
                {
                    "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "", StringComparison.Ordinal).Trim())),
                    "quoted-printable" => QuotedPrintable(body.Replace("=\r\n", "", StringComparison.Ordinal)),
                    _ => body,
                };
                return (subject, text);
            }
        }

        private static string QuotedPrintable(string text)
        {
            var bytes = new List<byte>();
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
                {
                    bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                }
            }

            return Encoding.UTF8.GetString([.. bytes]);
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"=\?utf-8\?(?<enc>[BQ])\?(?<text>[^?]*)\?=", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
        private static partial System.Text.RegularExpressions.Regex EncodedWord();
    }
}
