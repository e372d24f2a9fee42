using System.Text.Json;

namespace Perception.Foxglove;

/// <summary>A client message the server acts on.</summary>
internal abstract record ClientRequest
{
    /// <summary>Ops of the protocol this server does not implement (it does not advertise their capabilities).</summary>
    private static readonly HashSet<string> UnsupportedOps =
    [
        "advertise", "unadvertise", "getParameters", "setParameters", "subscribeParameterUpdates",
        "unsubscribeParameterUpdates", "subscribeConnectionGraph", "unsubscribeConnectionGraph", "fetchAsset",
    ];

    /// <summary>Parses one JSON text message.</summary>
    /// <exception cref="FoxgloveRequestException">Not JSON, no <c>op</c>, an unknown or unsupported op, or fields of
    /// the wrong kind; the message says which, for the status the client gets.</exception>
    public static ClientRequest Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(utf8);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("op", out JsonElement op)
                || op.ValueKind != JsonValueKind.String)
            {
                throw new FoxgloveRequestException("a client message must be a JSON object with a string \"op\"");
            }

            return op.GetString() switch
            {
                "subscribe" => new SubscribeRequest([.. Array(root, "subscriptions").Select(s =>
                    (Id: UInt32(s, "id"), ChannelId: UInt32(s, "channelId")))]),
                "unsubscribe" => new UnsubscribeRequest([.. Array(root, "subscriptionIds").Select(id =>
                    IsUInt32(id, out uint value) ? value : throw Invalid("subscriptionIds", "unsigned 32-bit ids"))]),
                string name when UnsupportedOps.Contains(name) =>
                    throw new FoxgloveRequestException($"op \"{name}\" is not supported by this server"),
                var name => throw new FoxgloveRequestException($"unknown op \"{name}\""),
            };
        }
        catch (JsonException e)
        {
            throw new FoxgloveRequestException($"the message is not valid JSON: {e.Message}");
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray()] : throw Invalid(name, "an array");

    private static uint UInt32(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out JsonElement value)
        && IsUInt32(value, out uint number) ? number : throw Invalid(name, "an unsigned 32-bit integer");

    /// <summary>TryGetUInt32 throws on a non-number; a client's wrong kind must be a status, not an exception.</summary>
    private static bool IsUInt32(JsonElement value, out uint number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out number);
    }

    private static FoxgloveRequestException Invalid(string field, string expected) =>
        new($"\"{field}\" must be {expected}");
}

/// <summary><c>subscribe</c>: the client's subscription ids for channels.</summary>
internal sealed record SubscribeRequest(IReadOnlyList<(uint Id, uint ChannelId)> Subscriptions) : ClientRequest;

/// <summary><c>unsubscribe</c>: subscription ids to end.</summary>
internal sealed record UnsubscribeRequest(IReadOnlyList<uint> SubscriptionIds) : ClientRequest;

/// <summary>A client message the server refuses; the client gets the message as an error status.</summary>
public sealed class FoxgloveRequestException(string message) : Exception(message);
