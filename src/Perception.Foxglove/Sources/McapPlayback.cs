using System.Diagnostics;
using System.Text;
using Perception.Ros2.Mcap;

namespace Perception.Foxglove.Sources;

/// <summary>
/// Serves a recording: every MCAP channel becomes a Foxglove channel with the file's own schema and message encoding
/// (rosbag2 files: <c>ros2msg</c> + <c>cdr</c>, passed on byte for byte), and messages go out at their recorded pace
/// scaled by the rate, stamped with their log time, each preceded by a time frame so Foxglove's clock follows the
/// recording. With <c>waitForSubscriber</c> the first pass starts only once a client subscribed to one of the file's
/// channels, so a recording is not over before Foxglove is connected (indexed files, whose channels are known upfront;
/// others start at once).
/// </summary>
public sealed class McapPlayback(string path, FoxgloveServer server, double rate = 1, bool loop = false,
    bool waitForSubscriber = false)
{
    /// <summary>Schema encodings whose schema is binary; the WebSocket carries those base64-encoded (spec §6.3).</summary>
    private static readonly HashSet<string> BinarySchemaEncodings = ["protobuf", "flatbuffer"];

    private static readonly TimeSpan LoopPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SubscriberPoll = TimeSpan.FromMilliseconds(50);
    private readonly Dictionary<ushort, uint> channelIds = [];

    /// <summary>Messages sent to the server so far (over all loops).</summary>
    public long MessagesPlayed { get; private set; }

    /// <summary>Plays the file (again and again with loop) until done or cancelled.</summary>
    /// <exception cref="McapFormatException">The file is not valid MCAP.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw new ArgumentException($"rate: {rate} is not a positive number.");
        }

        bool waiting = waitForSubscriber;
        do
        {
            using McapReader reader = McapReader.Open(path);
            foreach (McapChannel channel in reader.Channels.Values)
            {
                ChannelFor(channel, reader); // an indexed file: advertise everything before the first message
            }

            while (waiting && channelIds.Count > 0 && !channelIds.Values.Any(id => server.SubscriberCount(id) > 0))
            {
                await Task.Delay(SubscriberPoll, cancellationToken).ConfigureAwait(false);
            }

            waiting = false;

            ulong? start = null;
            var clock = Stopwatch.StartNew();
            foreach (McapMessageView view in reader.ReadMessages())
            {
                start ??= view.Message.LogTime;
                double due = (view.Message.LogTime - Math.Min(start.Value, view.Message.LogTime)) / 1e6 / rate;
                double wait = due - clock.Elapsed.TotalMilliseconds;
                if (wait > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                server.BroadcastTime(view.Message.LogTime);
                server.Publish(ChannelFor(view.Channel, reader), view.Message.LogTime, view.Message.Data);
                MessagesPlayed++;
            }

            // Between passes (and after the only one) a short pause: it makes the method asynchronous even for a file
            // whose messages share one instant, which would otherwise loop without ever yielding.
            await Task.Delay(LoopPause, cancellationToken).ConfigureAwait(false);
        }
        while (loop);
    }

    /// <summary>The Foxglove channel of an MCAP channel, advertised the first time it is met.</summary>
    private uint ChannelFor(McapChannel channel, McapReader reader)
    {
        if (!channelIds.TryGetValue(channel.Id, out uint id))
        {
            McapSchema? schema = reader.Schemas.GetValueOrDefault(channel.SchemaId);
            string text = schema is null ? ""
                : BinarySchemaEncodings.Contains(schema.Encoding) ? Convert.ToBase64String(schema.Data.Span)
                : Encoding.UTF8.GetString(schema.Data.Span);
            id = server.Advertise(new FoxgloveChannel(0, channel.Topic, channel.MessageEncoding, schema?.Name ?? "",
                text, schema?.Encoding ?? "")).Id;
            channelIds.Add(channel.Id, id);
        }

        return id;
    }
}
