namespace TorchSparse;

/// <summary>Base of every error this engine raises for bad input; the message names the parameter and the fault.</summary>
public class SparseEngineException : Exception
{
    public SparseEngineException(string message)
        : base(message)
    {
    }

    public SparseEngineException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Tensor shapes, row counts or channel counts that do not fit together.</summary>
public sealed class ShapeMismatchException(string message) : SparseEngineException(message);

/// <summary>Coordinates that are NaN/Inf, negative where not allowed, or overflow int32 after quantization.</summary>
public sealed class InvalidCoordinatesException(string message) : SparseEngineException(message);

/// <summary>A transposed (inverse) convolution found no kernel map from the matching downsampling layer.</summary>
public sealed class MissingKernelMapException(string message) : SparseEngineException(message);

/// <summary>Tensors on different devices were combined.</summary>
public sealed class DeviceMismatchException(string message) : SparseEngineException(message);

/// <summary>An operation got a dtype it does not support.</summary>
public sealed class DTypeMismatchException(string message) : SparseEngineException(message);
