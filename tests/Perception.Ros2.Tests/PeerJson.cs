using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Perception.Ros2.Tests;

/// <summary>
/// Compares a message as an independent decoder printed it (JSON, ROS field names) with our object, field by field:
/// every JSON field must map to a property (snake_case → PascalCase), numbers compare exactly (float32 through
/// double), byte sequences as hex, enums as their numbers. A field the peer has and we do not fails the test.
/// </summary>
internal static class PeerJson
{
    public static void AssertMatches(JsonElement expected, object? actual, string path = "msg")
    {
        switch (actual)
        {
            case null:
                Assert.Fail($"{path}: our value is null, the peer has {expected}");
                break;
            case string text:
                Assert.Equal(expected.GetString(), text);
                break;
            case bool flag:
                Assert.True(expected.GetBoolean() == flag, $"{path}: peer {expected}, ours {flag}");
                break;
            case ReadOnlyMemory<byte> bytes:
                Assert.Equal(expected.GetString(), Convert.ToHexStringLower(bytes.Span));
                break;
            case Enum:
                Assert.True(expected.GetDouble() == Convert.ToDouble(actual), $"{path}: peer {expected}, ours {actual}");
                break;
            case float or double or int or uint or short or ushort or byte or sbyte or long or ulong:
                double ours = Convert.ToDouble(actual);
                bool same = expected.ValueKind == JsonValueKind.String
                    ? expected.GetString() == ours.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : expected.GetDouble() == ours;
                Assert.True(same, $"{path}: peer {expected}, ours {ours}");
                break;
            case IEnumerable items:
                object[] list = [.. items.Cast<object>()];
                Assert.True(expected.GetArrayLength() == list.Length, $"{path}: peer has {expected.GetArrayLength()} items, ours {list.Length}");
                int i = 0;
                foreach (JsonElement item in expected.EnumerateArray())
                {
                    AssertMatches(item, list[i], $"{path}[{i}]");
                    i++;
                }

                break;
            default:
                Assert.Equal(JsonValueKind.Object, expected.ValueKind);
                foreach (JsonProperty field in expected.EnumerateObject())
                {
                    PropertyInfo property = actual.GetType().GetProperties().SingleOrDefault(p =>
                        string.Equals(p.Name, field.Name.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
                        ?? throw new Xunit.Sdk.XunitException($"{path}.{field.Name}: no such property on {actual.GetType().Name}");
                    AssertMatches(field.Value, property.GetValue(actual), $"{path}.{field.Name}");
                }

                break;
        }
    }
}
