using TorchSparse;

namespace Pvcnn;

/// <summary>A checkpoint or net.config that does not describe a model this library can build; the message names
/// the file and the key or field.</summary>
public sealed class ModelLoadException : SparseEngineException
{
    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
