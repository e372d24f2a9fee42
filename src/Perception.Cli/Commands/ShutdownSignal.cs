using System.Runtime.InteropServices;

namespace Perception.Cli.Commands;

/// <summary>
/// Ctrl-C (SIGINT) and `kill` (SIGTERM: systemd, ros2 launch) cancel <see cref="Token"/> instead of ending the process,
/// so a long-running command deletes its DDS entities, closes its connections and exits 0.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration sigint;
    private readonly PosixSignalRegistration sigterm;

    public ShutdownSignal()
    {
        sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => stop.Token;

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
