using Perception.Ros2.Cdr;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Viewer.Scenes;

namespace Perception.Viewer.Sources;

/// <summary>
/// The sensor_msgs/PointCloud2 messages of one topic of an MCAP recording (rosbag2's format), as frames. Opening reads
/// the file once to learn the topics and when each message was logged; a frame is decoded when asked for. Frames asked
/// for in order continue one pass through the file; a jump back starts a new pass (MCAP has no per-message offsets
/// in its summary, only per chunk), which is cheap for the recordings a viewer steps through.
/// </summary>
public sealed class McapCloudFrames : IDisposable
{
    private readonly McapReader reader;
    private readonly ulong[] logTimes;
    private IEnumerator<McapMessageView>? cursor;
    private int cursorIndex = -1;

    private McapCloudFrames(McapReader reader, string path, string topic, ulong[] logTimes)
    {
        (this.reader, Path, Topic, this.logTimes) = (reader, path, topic, logTimes);
    }

    public string Path { get; }

    public string Topic { get; }

    public int Count => logTimes.Length;

    /// <summary>Opens <paramref name="path"/> on <paramref name="topic"/>, or on its only PointCloud2 topic.</summary>
    /// <exception cref="SceneInputException">Not a readable MCAP; the topic is missing, not PointCloud2 or empty; or no
    /// topic is named and the file has none or several PointCloud2 topics (the message lists them).</exception>
    public static McapCloudFrames Open(string path, string? topic)
    {
        McapReader? reader = null;
        try
        {
            reader = McapReader.Open(path);
            var times = new Dictionary<string, List<ulong>>();
            foreach (McapMessageView view in reader.ReadMessages())
            {
                if (IsPointCloud2(view))
                {
                    (times.TryGetValue(view.Channel.Topic, out List<ulong>? list) ? list : times[view.Channel.Topic] = [])
                        .Add(view.Message.LogTime);
                }
            }

            string chosen = topic ?? Choose(path, [.. times.Keys.Order(StringComparer.Ordinal)]);
            if (!times.TryGetValue(chosen, out List<ulong>? logged))
            {
                string[] all = [.. reader.Channels.Values.Select(c => c.Topic).Distinct().Order(StringComparer.Ordinal)];
                throw new SceneInputException(path, $"no PointCloud2 messages on {chosen}; its topics: "
                    + (all.Length == 0 ? "none" : string.Join(", ", all.Select(t => $"{t} ({TypeOf(reader, t)})"))));
            }

            var frames = new McapCloudFrames(reader, path, chosen, [.. logged]);
            reader = null;
            return frames;
        }
        catch (Exception e) when (e is McapFormatException or IOException or UnauthorizedAccessException)
        {
            throw new SceneInputException(path, e.Message, e);
        }
        finally
        {
            reader?.Dispose();
        }
    }

    /// <summary>Seconds from the first message to message <paramref name="index"/>, by log time.</summary>
    public double SecondsAt(int index) => (logTimes[index] - logTimes[0]) / 1e9;

    /// <summary>The points of message <paramref name="index"/> (0-based).</summary>
    /// <exception cref="SceneInputException">The message does not decode or has no finite points.</exception>
    public SceneCloud Read(int index, LabelIds ids)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        string source = $"{Path} {Topic} message {index + 1}/{Count}";
        if (index >= Count)
        {
            throw new SceneInputException(Path, $"--frame {index}: {Topic} has {Count} messages (0..{Count - 1})");
        }

        if (cursor is null || index <= cursorIndex)
        {
            cursor?.Dispose();
            cursor = reader.ReadMessages(Topic).Where(IsPointCloud2).GetEnumerator();
            cursorIndex = -1;
        }

        try
        {
            while (cursorIndex < index && cursor.MoveNext())
            {
                cursorIndex++;
            }

            return PointCloud2Scenes.ToSceneCloud(RosSerialization.Deserialize<PointCloud2>(cursor.Current.Message.Data),
                source, ids);
        }
        catch (Exception e) when (e is McapFormatException or CdrFormatException or IOException)
        {
            throw new SceneInputException(source, e.Message, e);
        }
    }

    public void Dispose()
    {
        cursor?.Dispose();
        reader.Dispose();
    }

    private static bool IsPointCloud2(McapMessageView view) =>
        view.Schema?.Name == PointCloud2.MessageType.RosName && view.Channel.MessageEncoding == "cdr";

    private static string Choose(string path, string[] topics) => topics.Length == 1 ? topics[0]
        : throw new SceneInputException(path, topics.Length == 0 ? "the recording has no sensor_msgs/msg/PointCloud2 messages"
            : $"the recording has {topics.Length} PointCloud2 topics: {string.Join(", ", topics)}; choose one with --topic");

    private static string TypeOf(McapReader reader, string topic) => reader.Channels.Values
        .Where(c => c.Topic == topic).Select(c => reader.Schemas.GetValueOrDefault(c.SchemaId)?.Name ?? "schemaless")
        .FirstOrDefault() ?? "?";
}
