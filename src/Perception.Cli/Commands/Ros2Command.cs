using System.CommandLine;
using Perception.Cli.Nodes;
using Perception.Datasets.SemanticKitti;
using Perception.Foxglove;
using Perception.Foxglove.Sources;
using Perception.Ros2.Messages;
using Pvcnn;
using Spectre.Console;
using TorchSparse;

namespace Perception.Cli.Commands;

/// <summary>`perception ros2 segment`: the perception node on ROS 2 (DDS directly, no rcl).</summary>
internal static class Ros2Command
{
    public static Command Create() => new("ros2", "ROS 2 nodes over Cyclone DDS (no ROS installation needed).")
    {
        Segment(),
    };

    private static Command Segment()
    {
        var inputTopic = new Option<string?>("--input-topic") { Description = "PointCloud2 topic to segment (default /velodyne_points)." };
        var outputTopic = new Option<string?>("--output-topic") { Description = "Labelled PointCloud2 topic (default /perception/segmented)." };
        var diagnosticsTopic = new Option<string?>("--diagnostics-topic") { Description = "DiagnosticArray topic for per-frame statistics (default /diagnostics)." };
        var model = new Option<string?>("--model") { Description = "Checkpoint (torch.save or safetensors), model-zoo folder, or SPVNAS net.config (default: the shipped minkunet-sim); none: no model, every point label 0 (measures the transport)." };
        var arch = new Option<string?>("--arch") { Description = "minkunet or spvcnn when the path does not say." };
        Option<string> backend = BackendOption.Create("Where the model runs.");
        var parameters = new Option<string?>("--params") { Description = "YAML parameters (flat keys or a ROS 2 params file: <node>: ros__parameters:); the command line wins." };
        var domain = new Option<uint?>("--domain-id") { Description = "DDS domain (default: ROS_DOMAIN_ID, else 0)." };
        var loopback = new Option<bool>("--loopback") { Description = "Discovery and data on 127.0.0.1 only." };
        var discovery = new Option<string?>("--discovery") { Description = "How the node announces itself for `ros2 node list`: jazzy (Iron and later, default), humble, none." };
        var maxFrames = new Option<int?>("--max-frames") { Description = "Exit after this many segmented frames (default: run until SIGINT/SIGTERM)." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (default: all).", DefaultValueFactory = _ => 0 };
        var foxglove = new Option<int?>("--foxglove")
        {
            Description = $"Also serve the input, output and diagnostics topics to Foxglove on this port (default {FoxgloveServerOptions.DefaultPort}).",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = result =>
            {
                if (result.Tokens is not [var token])
                {
                    return FoxgloveServerOptions.DefaultPort; // the flag alone
                }

                if (!int.TryParse(token.Value, out int port) || port is < 0 or > 65535)
                {
                    result.AddError($"--foxglove: '{token.Value}' is not a port.");
                }

                return port;
            },
        };
        var command = new Command("segment", "Subscribe to PointCloud2, segment each newest frame, publish it labelled and coloured with diagnostics.")
        {
            inputTopic, outputTopic, diagnosticsTopic, model, arch, backend, parameters, domain, loopback, discovery, maxFrames, threads,
            foxglove,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string? file = parse.GetValue(parameters);
            SegmentationNodeOptions options = file is null ? new() : SegmentationNodeOptions.FromYaml(file);
            options = options with
            {
                InputTopic = parse.GetValue(inputTopic) ?? options.InputTopic,
                OutputTopic = parse.GetValue(outputTopic) ?? options.OutputTopic,
                DiagnosticsTopic = parse.GetValue(diagnosticsTopic) ?? options.DiagnosticsTopic,
                Model = parse.GetValue(model) ?? options.Model,
                Arch = parse.GetValue(arch) ?? options.Arch,
                Backend = parse.GetResult(backend) is { Implicit: false } ? parse.GetValue(backend)! : options.Backend,
                DomainId = parse.GetValue(domain) ?? options.DomainId,
                Loopback = parse.GetValue(loopback) || options.Loopback,
                Discovery = parse.GetValue(discovery) is { } layout ? SegmentationNodeOptions.ParseDiscovery(layout) : options.Discovery,
                MaxFrames = parse.GetValue(maxFrames) ?? options.MaxFrames,
                FoxglovePort = parse.GetValue(foxglove) ?? options.FoxglovePort,
            };
            Device.CpuThreads = parse.GetValue(threads);
            return Run(options);
        }));
        return command;
    }

    private static int Run(SegmentationNodeOptions options)
    {
        if (options.Backend is not (BackendOption.Cpu or BackendOption.OpenCl))
        {
            throw new ArgumentException($"backend: '{options.Backend}' is not cpu or opencl.");
        }

        // --model none: every point gets label 0 (unlabeled); what is left is the node's transport, decoding and
        // re-encoding, the baseline the soak benchmark measures the model against.
        SegmentationModel? model = options.Model == SegmentationNodeOptions.NoModel ? null
            : PvcnnModels.Load(options.Model ?? ShippedModel.FilePath, options.Arch).To(BackendOption.Open(options.Backend));
        if (model is not null && model.Classes != KittiLearningMap.ClassCount)
        {
            throw new ArgumentException(
                $"model: the node publishes SemanticKITTI labels (19 classes); this {model.Architecture} has {model.Classes}.");
        }

        // Ctrl-C and `kill` (systemd, ros2 launch) end the loop; the node then deletes its DDS entities and exits 0.
        using var stop = new StopSignals();
        using var node = new SegmentationNode(options, model is null ? null : new SemanticSegmenter(model));
        using FoxgloveServer? foxglove = options.FoxglovePort is int port
            ? FoxgloveCommand.StartServer(new FoxgloveServerOptions { Name = options.NodeName, Port = port }) : null;
        // The node's own topics, read by its own participant: what Foxglove shows is what ROS 2 subscribers get.
        using DdsTopicBridge? bridge = foxglove is null ? null : new DdsTopicBridge(node.RosNode, foxglove,
        [
            new BridgedTopic(options.InputTopic, PointCloud2.MessageType),
            new BridgedTopic(options.OutputTopic, PointCloud2.MessageType),
            new BridgedTopic(options.DiagnosticsTopic, DiagnosticArray.MessageType),
        ]);
        string runs = model is null ? "no model (label 0)" : $"{model.Architecture} on {model.Device}";
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(options.NodeName)}[/]: {Markup.Escape(runs)}, {Markup.Escape(options.InputTopic)} -> "
            + $"{Markup.Escape(options.OutputTopic)} (+ {Markup.Escape(options.DiagnosticsTopic)}); Ctrl-C to stop.");
        node.Run(stop.Token, line => AnsiConsole.MarkupLine(Markup.Escape(line)));
        AnsiConsole.MarkupLine(Markup.Escape(node.Statistics.Summary()));
        return 0;
    }
}
