using System.CommandLine;
using System.Net;
using Perception.Foxglove;
using Perception.Foxglove.Sources;
using Perception.Ros2.Dds;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception foxglove`: a Foxglove WebSocket server for live ROS 2 topics (over DDS) or a recording.</summary>
internal static class FoxgloveCommand
{
    public static Command Create()
    {
        var topics = new Option<string?>("--topics") { Description = $"Live topics to bridge, comma-separated: /topic (a PointCloud2) or /topic:pkg/msg/Type." };
        var mcap = new Option<string?>("--mcap") { Description = "An MCAP recording to serve instead (rosbag2's or ours)." };
        var port = new Option<int>("--port") { Description = "WebSocket port (0: any free one).", DefaultValueFactory = _ => FoxgloveServerOptions.DefaultPort };
        var address = new Option<string>("--address") { Description = "Address to listen on (127.0.0.1: this machine only).", DefaultValueFactory = _ => "0.0.0.0" };
        var rate = new Option<double>("--rate") { Description = "Playback speed of --mcap (2 = twice as fast).", DefaultValueFactory = _ => 1 };
        var loop = new Option<bool>("--loop") { Description = "Play --mcap again and again." };
        var domain = new Option<uint?>("--domain-id") { Description = "DDS domain of --topics (default: ROS_DOMAIN_ID, else 0)." };
        var loopback = new Option<bool>("--loopback") { Description = "DDS discovery and data on 127.0.0.1 only." };
        var reliable = new Option<bool>("--reliable") { Description = "Subscribe reliable (default best effort, which matches every publisher)." };
        var queue = new Option<int>("--queue") { Description = "Messages held per client before the oldest are dropped.", DefaultValueFactory = _ => 32 };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: Ctrl-C/SIGTERM)." };
        var command = new Command("foxglove", "Serve live ROS 2 topics or an MCAP recording to Foxglove (WebSocket, foxglove.websocket.v1; ros2msg schemas, cdr payloads).")
        {
            topics, mcap, port, address, rate, loop, domain, loopback, reliable, queue, duration,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string? live = parse.GetValue(topics), file = parse.GetValue(mcap);
            if ((live is null) == (file is null))
            {
                throw new ArgumentException("give either --topics or --mcap.");
            }

            if (file is not null && !File.Exists(file))
            {
                throw new IOException($"--mcap: '{file}' does not exist.");
            }

            var options = new FoxgloveServerOptions
            {
                Address = IPAddress.TryParse(parse.GetValue(address), out IPAddress? ip) ? ip
                    : throw new ArgumentException($"--address: '{parse.GetValue(address)}' is not an IP address."),
                Port = parse.GetValue(port) is >= 0 and <= IPEndPoint.MaxPort ? parse.GetValue(port)
                    : throw new ArgumentException($"--port: {parse.GetValue(port)} is not a TCP port (0..65535; 0 picks a free one)."),
                QueueMessages = parse.GetValue(queue) > 0 ? parse.GetValue(queue) : throw new ArgumentException("--queue must be positive."),
                SendsTime = file is not null,
                Metadata = new Dictionary<string, string> { ["source"] = file is null ? "ros2" : "mcap" },
            };
            using var signal = new StopSignals();
            using var timer = parse.GetValue(duration) is double seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds)) : new CancellationTokenSource();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(signal.Token, timer.Token);
            using FoxgloveServer server = StartServer(options);
            if (file is not null)
            {
                return ServeRecording(server, file, parse.GetValue(rate), parse.GetValue(loop), stop.Token);
            }

            BridgedTopic[] bridged = [.. live!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(BridgedTopic.Parse)];
            using var node = new RosNode("perception_foxglove", new RosNodeOptions
            {
                DomainId = parse.GetValue(domain) ?? new RosNodeOptions().DomainId,
                DdsConfigXml = parse.GetValue(loopback) ? DdsConfig.LoopbackOnly() : null,
            });
            using var bridge = new DdsTopicBridge(node, server, bridged, parse.GetValue(reliable) ? QosProfile.Default : QosProfile.SensorData);
            stop.Token.WaitHandle.WaitOne();
            AnsiConsole.MarkupLine($"{bridge.Forwarded} messages forwarded, {server.DroppedMessages} dropped for slow clients.");
            return 0;
        }));
        return command;
    }

    /// <summary>Starts the server and says where Foxglove connects (also for the node's --foxglove).</summary>
    internal static FoxgloveServer StartServer(FoxgloveServerOptions options)
    {
        FoxgloveServer server = FoxgloveServer.StartAsync(options).GetAwaiter().GetResult();
        string host = options.Address.Equals(IPAddress.Any) ? Environment.MachineName : options.Address.ToString();
        AnsiConsole.MarkupLine($"Foxglove: open a connection to [bold]ws://{Markup.Escape(host)}:{server.Port}[/]; Ctrl-C to stop.");
        return server;
    }

    private static int ServeRecording(FoxgloveServer server, string file, double rate, bool loop, CancellationToken stop)
    {
        var playback = new McapPlayback(file, server, rate, loop, waitForSubscriber: true);
        try
        {
            playback.RunAsync(stop).GetAwaiter().GetResult();
            server.BroadcastStatus(FoxgloveStatusLevel.Info, "playback finished");
            AnsiConsole.MarkupLine($"Playback finished ({playback.MessagesPlayed} messages); serving until Ctrl-C.");
            stop.WaitHandle.WaitOne();
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine($"{playback.MessagesPlayed} messages played.");
        }

        return 0;
    }
}
