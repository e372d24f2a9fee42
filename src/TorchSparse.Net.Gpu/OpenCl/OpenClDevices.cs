namespace TorchSparse.Gpu.OpenCl;

/// <summary>
/// Opens OpenCL devices as engine <see cref="Device"/>s whose ops run generated kernels. One backend per device:
/// opening the same device twice returns the same <see cref="Device"/>.
/// </summary>
public static class OpenClDevices
{
    private static readonly Dictionary<(int, int), Device> Opened = [];
    private static readonly Lock Gate = new();

    /// <summary>The device at <paramref name="platform"/>, <paramref name="device"/> as an engine device.</summary>
    /// <exception cref="OpenClUnavailableException">No OpenCL runtime or platform is installed.</exception>
    public static Device Open(int platform = 0, int device = 0)
    {
        lock (Gate)
        {
            if (!Opened.TryGetValue((platform, device), out Device? opened))
            {
                var backend = new OpenClBackend(ClDevice.Open(platform, device, ClCacheSettings.FromEnvironment()));
                opened = backend.Device;
                Opened[(platform, device)] = opened;
            }

            return opened;
        }
    }
}
