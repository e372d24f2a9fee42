using Perception.Ros2.Dds.Types;
using Perception.Ros2.Node;

namespace Perception.Ros2.Tests;

/// <summary>The run-time topic descriptors against what idlc 0.10.2 generates from the ROS IDL (peers/dds/*.idl):
/// the C struct size and alignment, the flags, the instruction count and every ops word.</summary>
public sealed class DdsDescriptorTests
{
    [DdsPeerFact]
    public void Every_message_type_has_the_descriptor_idlc_generates()
    {
        string[] lines = DdsPeer.Run(DdsPeer.Program("descriptor_dump")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 15, $"only {lines.Length} types dumped");
        foreach (string line in lines)
        {
            string[] words = line.Split(' ');
            string key = words[0];
            DdsStructType type = key switch
            {
                "jazzy:rmw_dds_common/ParticipantEntitiesInfo" => RosGraphAnnouncer.TypeOf(RosDiscoveryLayout.Jazzy),
                "humble:rmw_dds_common/ParticipantEntitiesInfo" => RosGraphAnnouncer.TypeOf(RosDiscoveryLayout.Humble),
                _ => DdsStructType.Get(key),
            };
            var descriptor = DdsTopicDescriptor.Get($"test::{key.Replace(':', '_')}", type);
            uint[] expected = words[1..].Select(uint.Parse).ToArray();
            uint[] actual = [(uint)type.Size, (uint)type.Align, descriptor.FlagSet, descriptor.InstructionCount,
                .. descriptor.Ops];
            Assert.True(expected.SequenceEqual(actual),
                $"{key}:\n idlc {string.Join(' ', expected)}\n ours {string.Join(' ', actual)}");
        }
    }
}
