using System.Text;
using System.Text.Json;
using Perception.Ros2.Compression;
using Perception.Ros2.Mcap;
using Perception.Ros2.Messages;
using Perception.Ros2.Rosbag;

namespace Perception.Ros2.Tests;

/// <summary>
/// Our MCAP files read by @mcap/core (CRCs validated) with every message decoded by @foxglove/rosmsg2-serialization,
/// and MCAP files written by @mcap/core (zstd, lz4, uncompressed, chunked or not, with and without summary) read by us.
/// </summary>
public sealed class McapPeerTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("perception-mcap-peer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [NodePeerTheory]
    [InlineData(McapCompression.Zstd)]
    [InlineData(McapCompression.Lz4)]
    [InlineData(McapCompression.None)]
    public void The_peer_reads_and_decodes_every_message_we_write(McapCompression compression)
    {
        string path = Path.Combine(folder, "ours.mcap");
        var sent = new List<(string Topic, long Time, object Message)>();
        using (var writer = new RosbagMcapWriter(path, new McapWriterOptions { Compression = compression, ChunkSize = 600 }))
        {
            long time = 1_700_000_000_000_000_000;
            foreach ((RosMessageType type, byte[] cdr, object message) in TestMessages.All())
            {
                string topic = "/test/" + type.Name.ToLowerInvariant();
                writer.AddTopic(topic, type, type.Name == "PointCloud2" ? QosProfile.SensorData : QosProfile.Default);
                for (int repeat = 0; repeat < 2; repeat++)
                {
                    writer.WriteSerialized(topic, cdr, time += 100_000_000);
                    sent.Add((topic, time, message));
                }
            }

            writer.Finish();
        }

        JsonElement peer = NodePeer.Run("read-mcap.cjs", path);

        Assert.Equal("ros2", peer.GetProperty("header").GetProperty("profile").GetString());
        Assert.StartsWith("perception-sdk-ros2/", peer.GetProperty("header").GetProperty("library").GetString(), StringComparison.Ordinal);
        JsonElement crc = peer.GetProperty("dataSectionCrc");
        Assert.Equal(crc.GetProperty("actual").GetUInt32(), crc.GetProperty("expected").GetUInt32());
        Assert.True(peer.GetProperty("chunkIndexes").GetInt32() > 1, "several chunks expected");
        JsonElement[] messages = [.. peer.GetProperty("messages").EnumerateArray()];
        Assert.Equal(sent.Count, messages.Length);
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal(sent[i].Topic, messages[i].GetProperty("topic").GetString());
            Assert.Equal(sent[i].Time.ToString(System.Globalization.CultureInfo.InvariantCulture), messages[i].GetProperty("logTime").GetString());
            PeerJson.AssertMatches(messages[i].GetProperty("decoded"), sent[i].Message, sent[i].Topic);
        }

        foreach (JsonElement schema in peer.GetProperty("schemas").EnumerateArray())
        {
            Assert.Equal("ros2msg", schema.GetProperty("encoding").GetString());
            Assert.Equal(RosMessageType.Get(schema.GetProperty("name").GetString()!).Ros2MsgSchema, schema.GetProperty("data").GetString());
        }

        JsonElement channel = peer.GetProperty("channels")[0];
        Assert.Equal("cdr", channel.GetProperty("messageEncoding").GetString());
        Assert.Contains("reliability: best_effort", channel.GetProperty("metadata").GetProperty("offered_qos_profiles").GetString(), StringComparison.Ordinal);
        Assert.Equal((ulong)sent.Count, ulong.Parse(peer.GetProperty("statistics").GetProperty("messageCount").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        JsonElement metadata = Assert.Single(peer.GetProperty("metadata").EnumerateArray());
        Assert.Equal("rosbag2", metadata.GetProperty("name").GetString());
        Assert.Contains("message_count: 12", metadata.GetProperty("metadata").GetProperty("serialized_metadata").GetString(), StringComparison.Ordinal);
    }

    [NodePeerTheory]
    [InlineData("zstd", true, true)]
    [InlineData("lz4", true, true)]
    [InlineData("none", true, true)]
    [InlineData("zstd", false, true)]
    [InlineData("lz4", false, true)]
    [InlineData("none", false, false)]
    [InlineData("none", true, false)]
    public void We_read_exactly_what_the_peer_writes(string compression, bool summary, bool chunked)
    {
        var sent = TestMessages.All().ToList();
        var input = new
        {
            compression,
            summary,
            chunked,
            topics = sent.Select(m => new { topic = "/" + m.Type.Name, type = m.Type.RosName, schema = m.Type.Ros2MsgSchema }),
            messages = Enumerable.Range(0, 3).SelectMany(r => sent.Select((m, i) => new
            {
                topic = "/" + m.Type.Name, logTime = 1000L + (r * 100) + i, cdr = Convert.ToHexStringLower(m.Cdr),
            })),
        };
        string inputPath = Path.Combine(folder, "input.json"), path = Path.Combine(folder, "peer.mcap");
        File.WriteAllText(inputPath, JsonSerializer.Serialize(input));

        JsonElement written = NodePeer.Run("write-mcap.cjs", inputPath, path).GetProperty("written");

        using McapReader reader = McapReader.Open(path);
        Assert.Equal(("ros2", "mcap-js peer"), (reader.Header.Profile, reader.Header.Library));
        Assert.Equal(summary && chunked, reader.IsIndexed);
        McapMessageView[] messages = [.. reader.ReadMessages()];
        Assert.Equal(sent.Count * 3, messages.Length);
        for (int i = 0; i < messages.Length; i++)
        {
            (RosMessageType type, byte[] cdr, object _) = sent[i % sent.Count];
            Assert.Equal("/" + type.Name, messages[i].Channel.Topic);
            Assert.Equal(type.RosName, messages[i].Schema!.Name);
            Assert.Equal(1000UL + (ulong)((i / sent.Count * 100) + (i % sent.Count)), messages[i].Message.LogTime);
            // The peer's own CDR encoding is byte-identical to ours, and decodes back to the same message.
            Assert.Equal(written[i].GetString(), Convert.ToHexStringLower(messages[i].Message.Data.Span));
            Assert.True(cdr.AsSpan().SequenceEqual(CdrWireTests.Reencode(CdrWireTests.Decode(type, messages[i].Message.Data))));
        }

        McapMetadata metadata = Assert.Single(reader.ReadMetadata());
        Assert.Equal(("peer", "write-mcap.cjs"), (metadata.Name, metadata.Metadata["written_by"]));
        Assert.Equal(Encoding.UTF8.GetBytes(sent[0].Type.Ros2MsgSchema), reader.Schemas.Values.First(s => s.Name == sent[0].Type.RosName).Data.ToArray());
    }
}
