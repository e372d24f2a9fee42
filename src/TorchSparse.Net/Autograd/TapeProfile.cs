using System.Diagnostics;

namespace TorchSparse.Autograd;

/// <summary>
/// Where the time of a recorded step went: wall milliseconds per category (kernel maps, convs, batch norm, the
/// other recorded ops' backward), forward and backward together. Set it as a tape's <see cref="GradientTape.Profile"/>;
/// the ops time themselves on the tape's thread. Times are exclusive: a kernel map built inside a conv counts as
/// kernel maps, not as the conv. Time outside every category (the other ops' forward, the loss) is not counted.
/// </summary>
public sealed class TapeProfile
{
    public const string KernelMaps = "kernel maps";
    public const string Convs = "convs";
    public const string BatchNorm = "batch norm";

    /// <summary>The backward of the recorded ops that have no category of their own (ReLU, add, concat, linear).</summary>
    public const string OtherBackward = "other backward";

    private readonly Dictionary<string, double> milliseconds = new(StringComparer.Ordinal);
    private readonly Stack<Frame> open = new();

    /// <summary>Exclusive milliseconds per category, in the order categories first finished.</summary>
    public IReadOnlyDictionary<string, double> Milliseconds => milliseconds;

    /// <summary>Times the code up to the scope's disposal under <paramref name="category"/>, when the active tape
    /// has a profile; otherwise does nothing.</summary>
    internal static Scope Time(string category) => new(GradientTape.ActiveProfile, category);

    private void Enter(string category) => open.Push(new Frame(category, Stopwatch.GetTimestamp()));

    private void Exit()
    {
        Frame frame = open.Pop();
        long elapsed = Stopwatch.GetTimestamp() - frame.Start;
        milliseconds[frame.Category] = milliseconds.GetValueOrDefault(frame.Category)
            + ((elapsed - frame.Nested) * 1000.0 / Stopwatch.Frequency);
        if (open.TryPop(out Frame parent))
        {
            open.Push(parent with { Nested = parent.Nested + elapsed });
        }
    }

    /// <summary>An open category; disposing it stops the clock.</summary>
    internal readonly struct Scope : IDisposable
    {
        private readonly TapeProfile? profile;

        public Scope(TapeProfile? profile, string category)
        {
            this.profile = profile;
            profile?.Enter(category);
        }

        public void Dispose() => profile?.Exit();
    }

    private readonly record struct Frame(string Category, long Start, long Nested = 0);
}
