using System.Net;
using System.Net.Sockets;
using ReferralNetwork.Hosting;

namespace ReferralNetwork.Webhooks;

/// <summary>A connection the target policy refused: the host resolved to an address the platform does not post to.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// Where webhooks may go. Production refuses loopback, link-local, private and other non-public addresses unless
/// <c>Webhooks:AllowedTargets</c> lists the host, the address or a range holding it; the embedded profile (a
/// developer's machine) allows loopback. The check is made on the addresses the host resolves to when the
/// connection is opened (<see cref="ConnectAsync"/>), so a name that resolved to a public address when the
/// subscription was made and to an internal one later (DNS re-binding) is still refused.
/// </summary>
public sealed class WebhookTargets
{
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private readonly bool _allowLoopback;
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IPNetwork> _networks = [];

    public WebhookTargets(WebhookOptions options, PlatformProfile profile)
    {
        _allowLoopback = profile == PlatformProfile.Embedded;
        RequireHttps = profile == PlatformProfile.Production;
        foreach (var entry in options.AllowedTargets.Select(t => t.Trim()).Where(t => t.Length > 0))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                _networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                _networks.Add(new IPNetwork(Canonical(address), Canonical(address).AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                _hosts.Add(entry);
            }
        }
    }

    /// <summary>Production posts over HTTPS only, except to hosts listed as allowed targets.</summary>
    public bool RequireHttps { get; }

    /// <summary>Why a URL given for a subscription is refused, or null. Checks its form and, in production, what it resolves to now.</summary>
    public async Task<string?> RefusalOfAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            return "An absolute http or https URL.";
        }

        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            return "No user name, password or fragment in the URL: authenticate deliveries by their signature.";
        }

        if (RequireHttps && uri.Scheme != "https" && !IsListed(uri.IdnHost))
        {
            return "An https URL (plain http only to a host listed in Webhooks:AllowedTargets).";
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host '{uri.IdnHost}' does not resolve.";
        }

        return addresses.FirstOrDefault(a => !Allows(uri.IdnHost, a)) is { } refused
            ? $"The host '{uri.IdnHost}' resolves to {refused}, a loopback, link-local or private address; such targets need Webhooks:AllowedTargets."
            : null;
    }

    public bool Allows(string host, IPAddress address)
    {
        var canonical = Canonical(address);
        if (_hosts.Contains(host) || _networks.Any(n => n.Contains(canonical)))
        {
            return true;
        }

        if (_allowLoopback && IPAddress.IsLoopback(canonical))
        {
            return true;
        }

        return !NonPublic.Any(n => n.Contains(canonical));
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, and connects only to an address it allows.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var refused = addresses.Where(a => !Allows(host, a)).ToList();
        if (refused.Count > 0 || addresses.Length == 0)
        {
            throw new WebhookTargetRefusedException(
                $"Webhook target '{host}' resolves to {string.Join(", ", refused.DefaultIfEmpty(IPAddress.None))}, which this platform does not post to.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether <c>Webhooks:AllowedTargets</c> names the host, or holds the address it is written as.</summary>
    private bool IsListed(string host) =>
        _hosts.Contains(host) || IPAddress.TryParse(host, out var address) && _networks.Any(n => n.Contains(Canonical(address)));

    /// <summary>An IPv4 address written as IPv6 (<c>::ffff:10.0.0.1</c>) is judged as the IPv4 address it is.</summary>
    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
