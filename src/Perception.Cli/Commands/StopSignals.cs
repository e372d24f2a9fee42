using System.Runtime.InteropServices;

namespace Perception.Cli.Commands;

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
