using System.Net;
using System.Net.Sockets;

namespace ReferralNetwork.Testing;

/// <summary>TCP ports on 127.0.0.1 that nothing listens on, for the servers and silos a test starts.</summary>
public static class FreePorts
{
    /// <summary>
    /// Ports from the kernel's ephemeral range, held open together so they differ, then released.
    /// Another process may take one before the server binds it; a server whose first start fails on
    /// an address in use is started again on fresh ports.
    /// </summary>
    public static int[] OnLoopback(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
