using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Perception.Foxglove;

/// <summary>Severity of a <c>status</c> message (0 info, 1 warning, 2 error).</summary>
public enum FoxgloveStatusLevel
{
    Info = 0,
    Warning = 1,
    Error = 2,
}

/// <summary>
/// The server side of foxglove.websocket.v1 (ros-interop.md §6): the JSON text messages the server sends and its
/// binary frames. Integers in binary frames are little-endian; a message-data frame is opcode 1, the client's
/// subscription id, the receive time in ns, then exactly one serialized message.
/// </summary>
internal static class FoxgloveProtocol
{
    public const string Subprotocol = "foxglove.websocket.v1";
    public const byte MessageDataOpcode = 1;
    public const byte TimeOpcode = 2;
    public const int MessageDataHeaderSize = 13;

    public static byte[] ServerInfo(FoxgloveServerOptions options, string sessionId) => Json(json =>
    {
        json.WriteString("op", "serverInfo");
        json.WriteString("name", options.Name);
        json.WriteStartArray("capabilities");
        if (options.SendsTime)
        {
            json.WriteStringValue("time");
        }

        json.WriteEndArray();
        json.WriteStartArray("supportedEncodings"); // encodings of client publishing, which this server does not offer
        json.WriteEndArray();
        json.WriteStartObject("metadata");
        foreach ((string key, string value) in options.Metadata)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteString("sessionId", sessionId);
    });

    public static byte[] Advertise(IEnumerable<FoxgloveChannel> channels) => Json(json =>
    {
        json.WriteString("op", "advertise");
        json.WriteStartArray("channels");
        foreach (FoxgloveChannel channel in channels)
        {
            json.WriteStartObject();
            json.WriteNumber("id", channel.Id);
            json.WriteString("topic", channel.Topic);
            json.WriteString("encoding", channel.Encoding);
            json.WriteString("schemaName", channel.SchemaName);
            json.WriteString("schema", channel.Schema);
            json.WriteString("schemaEncoding", channel.SchemaEncoding);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    public static byte[] Unadvertise(uint channelId) => Json(json =>
    {
        json.WriteString("op", "unadvertise");
        json.WriteStartArray("channelIds");
        json.WriteNumberValue(channelId);
        json.WriteEndArray();
    });

    public static byte[] Status(FoxgloveStatusLevel level, string message) => Json(json =>
    {
        json.WriteString("op", "status");
        json.WriteNumber("level", (int)level);
        json.WriteString("message", message);
    });

    /// <summary>The 13 bytes before the payload of a message-data frame.</summary>
    public static byte[] MessageDataHeader(uint subscriptionId, ulong receiveTimeNs)
    {
        var header = new byte[MessageDataHeaderSize];
        header[0] = MessageDataOpcode;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(1), subscriptionId);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(5), receiveTimeNs);
        return header;
    }

    public static byte[] Time(ulong timeNs)
    {
        var frame = new byte[9];
        frame[0] = TimeOpcode;
        BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(1), timeNs);
        return frame;
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
