using System.CommandLine;
using System.Runtime.InteropServices;
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

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM (kill, systemd, ros2 launch) as a cancellation: the handlers cancel the default exit,
/// so a command finishes its work (closes a recording, deletes its DDS entities) and returns normally.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration sigint;
    private readonly PosixSignalRegistration sigterm;

    public StopSignals()
    {
        sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => stop.Token;

    /// <summary>Also stops after <paramref name="delay"/> (a recording's --duration).</summary>
    public void StopAfter(TimeSpan delay) => stop.CancelAfter(delay);

    public void Dispose()
    {
        sigint.Dispose();
        sigterm.Dispose();
        stop.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}
