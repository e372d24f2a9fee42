using System.Net;

namespace Perception.Foxglove;

/// <summary>Where the server listens and how much it holds back for each client.</summary>
public sealed record FoxgloveServerOptions
{
    /// <summary>The default port of Foxglove bridges (foxglove_bridge, Foxglove's "open connection" dialog).</summary>
    public const int DefaultPort = 8765;

    /// <summary>Shown by Foxglove as the server's name.</summary>
    public string Name { get; init; } = "perception";

    /// <summary>Any interface by default, as foxglove_bridge does: Foxglove usually runs on another machine.</summary>
    public IPAddress Address { get; init; } = IPAddress.Any;

    /// <summary>0 = a free port chosen by the system (see <see cref="FoxgloveServer.Port"/>).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Messages waiting for one client; beyond it the oldest is dropped (and counted) so that a slow client
    /// never holds back the others or grows memory without bound.</summary>
    public int QueueMessages { get; init; } = 32;

    /// <summary>Payload bytes waiting for one client (point clouds are megabytes each); beyond it, the oldest go.</summary>
    public long QueueBytes { get; init; } = 256L << 20;

    /// <summary>The largest client message accepted (subscribe lists are small); a larger one closes the connection.
    /// </summary>
    public int MaxClientMessageBytes { get; init; } = 1 << 20;

    /// <summary>Advertise the <c>time</c> capability and send time frames (recording playback).</summary>
    public bool SendsTime { get; init; }

    /// <summary>Free-form key/values of serverInfo's <c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
