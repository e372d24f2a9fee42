using System.CommandLine;
using Perception.Ros2.Rosbag;
using Spectre.Console;

namespace Perception.Cli.Commands;

/// <summary>`perception play`: a rosbag2-style MCAP recording back onto ROS 2 topics, like `ros2 bag play`.</summary>
internal static class PlayCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The .mcap file (ours, rosbag2's or any ros2-profile MCAP)." };
        var rate = new Option<double>("--rate") { Description = "Speed factor on the recorded timing; 0 = as fast as possible.", DefaultValueFactory = _ => 1 };
        Option<string[]> topics = RosNodeArguments.TopicsOption("Only these topics: /a,/b (default: all).");
        var loop = new Option<bool>("--loop") { Description = "Start again at the end, until SIGINT/SIGTERM." };
        var wait = new Option<double>("--wait-for-subscribers")
        {
            Description = "Wait up to this many seconds until every topic has a subscriber before publishing.",
            DefaultValueFactory = _ => 0,
        };
        var nodeArguments = new RosNodeArguments();
        var command = new Command("play", "Publish the messages of an MCAP recording over DDS at their recorded timing, with each topic's recorded QoS.")
        {
            input, rate, topics, loop, wait,
        };
        nodeArguments.AddTo(command);
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string path = parse.GetValue(input)!;
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"input: '{path}' does not exist.", path);
            }

            using var signals = new StopSignals();
            using var node = nodeArguments.CreateNode(parse, "perception_player");
            var player = new RosbagPlayer(node, new RosbagPlayOptions
            {
                Rate = parse.GetValue(rate),
                Topics = parse.GetValue(topics) ?? [],
                Loop = parse.GetValue(loop),
                WaitForSubscribers = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(wait))),
            });
            long published = 0;
            TimeSpan elapsed = TimeSpan.Zero;
            AnsiConsole.Status().Start("playing " + Markup.Escape(path), context =>
                published = player.Play(path, signals.Token, (count, time) =>
                {
                    (published, elapsed) = (count, time);
                    if (count % 10 == 0)
                    {
                        context.Status($"{count:N0} messages published, {time.TotalSeconds:F1} s");
                    }
                }));
            AnsiConsole.MarkupLine($"{published:N0} messages published in {elapsed.TotalSeconds:F1} s from {Markup.Escape(path)}");
            foreach (string skipped in player.Skipped)
            {
                AnsiConsole.MarkupLine($"[yellow]not played:[/] {Markup.Escape(skipped)}");
            }

            return 0;
        }));
        return command;
    }
}
