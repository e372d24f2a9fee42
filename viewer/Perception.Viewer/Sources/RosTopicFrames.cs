using Perception.Ros2.Messages;
using Perception.Ros2.Node;
using Perception.Ros2.Rosbag;
using Perception.Viewer.Scenes;
using Perception.Viewer.Windowing;

namespace Perception.Viewer.Sources;

/// <summary>
/// A live sensor_msgs/PointCloud2 topic as frames: a background thread takes the samples (sensor-data QoS, as a
/// LiDAR driver publishes) and converts them, so the window's <see cref="Count"/> grows while it is open. Only the
/// newest <c>keep</c> clouds stay in memory; a frame older than that asks for a clear error, not a stale picture.
/// Samples that do not decode or convert are counted, never shown and never fatal.
/// </summary>
public sealed class RosTopicFrames : IViewerFrames, IDisposable
{
    private readonly List<(SceneCloud? Cloud, long Nanoseconds)> frames = [];
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly RosNode node;
    private readonly RosSubscription<PointCloud2> subscription;
    private readonly Func<SceneCloud, ViewerFrame> toFrame;
    private readonly LabelIds ids;
    private readonly int keep;
    private readonly Thread receiver;

    /// <param name="topic">The ROS topic name, e.g. /velodyne_points.</param>
    /// <param name="options">Domain, namespace and DDS configuration of the viewer's node.</param>
    /// <param name="ids">How a <c>label</c> field's values are read.</param>
    /// <param name="toFrame">Turns a received cloud into what the window draws (colouring, layers).</param>
    /// <param name="keep">Clouds kept in memory, newest first.</param>
    public RosTopicFrames(string topic, RosNodeOptions options, LabelIds ids, Func<SceneCloud, ViewerFrame> toFrame, int keep = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        (Topic, this.ids, this.toFrame, this.keep) = (topic, ids, toFrame, keep);
        node = new RosNode("perception_viewer", options);
        subscription = node.CreateSubscription<PointCloud2>(topic, QosProfile.SensorData);
        receiver = new Thread(Receive) { IsBackground = true, Name = "viewer topic " + topic };
        receiver.Start();
    }

    public string Topic { get; }

    /// <summary>Samples that did not decode or had no finite points.</summary>
    public int Rejected { get; private set; }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return frames.Count;
            }
        }
    }

    /// <summary>Waits until the first cloud has arrived; false when <paramref name="timeout"/> passes first.</summary>
    public bool WaitForFirst(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Count == 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        return Count > 0;
    }

    public string NameOf(int index) => $"{Topic} #{index}";

    public double? SecondsAt(int index)
    {
        lock (gate)
        {
            return (frames[index].Nanoseconds - frames[0].Nanoseconds) / 1e9;
        }
    }

    /// <exception cref="SceneInputException">The frame was dropped to bound memory.</exception>
    public ViewerFrame Load(int index)
    {
        SceneCloud? cloud;
        lock (gate)
        {
            cloud = frames[index].Cloud;
        }

        return cloud is null
            ? throw new SceneInputException(NameOf(index), $"dropped: the live view keeps the newest {keep} clouds")
            : toFrame(cloud);
    }

    public void Dispose()
    {
        stop.Cancel();
        receiver.Join();
        subscription.Dispose();
        node.Dispose();
        stop.Dispose();
    }

    private void Receive()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!subscription.WaitForData(TimeSpan.FromMilliseconds(100), stop.Token))
                {
                    continue;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (RosReceived<PointCloud2> sample in subscription.Take())
            {
                Add(sample);
            }
        }
    }

    private void Add(RosReceived<PointCloud2> sample)
    {
        SceneCloud? cloud = null;
        try
        {
            cloud = sample.Message is { } message ? PointCloud2Scenes.ToSceneCloud(message, Topic, ids) : null;
        }
        catch (SceneInputException)
        {
            // Counted below: a bad cloud from a live driver is skipped, the view goes on.
        }

        lock (gate)
        {
            if (cloud is null)
            {
                Rejected++;
                return;
            }

            frames.Add((cloud, sample.SourceTimestampNanoseconds));
            if (frames.Count > keep)
            {
                frames[^(keep + 1)] = (null, frames[^(keep + 1)].Nanoseconds);
            }
        }
    }
}
