using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace LstmSweep.ClusterTests.Processes;

public static class FreePorts
{
    /// <summary>Distinct free loopback ports, ascending (so the first is the lowest cluster address).</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        foreach (var l in listeners) l.Start();
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).OrderBy(p => p).ToArray();
        foreach (var l in listeners) l.Stop();
        return ports;
    }
}
