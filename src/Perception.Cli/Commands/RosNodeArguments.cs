using System.CommandLine;
using Perception.Ros2.Dds;
using Perception.Ros2.Node;

namespace Perception.Cli.Commands;

/// <summary>The DDS options of the commands that join ROS 2 as a node (record, play): domain and loopback.</summary>
internal sealed class RosNodeArguments
{
    private readonly Option<uint?> domain = new("--domain-id") { Description = "DDS domain (default: ROS_DOMAIN_ID, else 0)." };
    private readonly Option<bool> loopback = new("--loopback") { Description = "Discovery and data on 127.0.0.1 only." };

    public void AddTo(Command command)
    {
        command.Options.Add(domain);
        command.Options.Add(loopback);
    }

    /// <summary>A node named <paramref name="name"/> with the parsed domain and discovery; the Jazzy graph layout.</summary>
    public RosNode CreateNode(ParseResult parse, string name) => new(name, new RosNodeOptions
    {
        DomainId = parse.GetValue(domain) ?? new RosNodeOptions().DomainId,
        DdsConfigXml = parse.GetValue(loopback) ? DdsConfig.LoopbackOnly() : null,
    });

    /// <summary>ROS topic lists given as <c>/a,/b</c>, repeated options, or both.</summary>
    public static Option<string[]> TopicsOption(string description) => new("--topics")
    {
        Description = description,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))],
    };
}
