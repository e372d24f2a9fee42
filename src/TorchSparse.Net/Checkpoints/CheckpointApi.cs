namespace TorchSparse.Checkpoints;

/// <summary>Options for <see cref="TorchCheckpoint.Load"/>.</summary>
public sealed record CheckpointOptions
{
    /// <summary>
    /// When true, globals outside the allow-list (pickled config objects, custom classes) become inert placeholders
    /// instead of failing the load. Nothing is ever imported or executed either way.
    /// </summary>
    public bool AllowUnknownObjects { get; init; }
}

/// <summary>A checkpoint file that cannot be read: the message names the file and what is wrong with it.</summary>
public sealed class CheckpointException : SparseEngineException
{
    public CheckpointException(string message)
        : base(message)
    {
    }

    public CheckpointException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
