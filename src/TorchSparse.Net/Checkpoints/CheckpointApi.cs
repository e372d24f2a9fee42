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

/// <summary>Options for <see cref="TorchCheckpoint.Save"/>.</summary>
public sealed record TorchSaveOptions
{
    /// <summary>
    /// "model" or "state_dict", the keys <see cref="TorchCheckpoint.Load"/> unwraps: the file then holds a dict with
    /// the state dict under this key and <see cref="Metadata"/> beside it, as training scripts save
    /// (spvnas: <c>torch.load(f)["model"]</c>). Null, the default: the bare state dict, as
    /// <c>torch.save(model.state_dict(), f)</c>.
    /// </summary>
    public string? Wrapper { get; init; }

    /// <summary>
    /// Plain values saved beside the wrapped state dict, in order (an epoch, a learning rate, a note): string, bool,
    /// int, long, float or double, which Python reads as str, bool, int and float (a float widens to double). Needs
    /// <see cref="Wrapper"/>. torch 1.13's <c>weights_only=True</c> cannot read floats (its unpickler lacks the
    /// opcode; torch >= 2.0 has it), so such files load there only with <c>weights_only=False</c>.
    /// </summary>
    public IReadOnlyDictionary<string, object>? Metadata { get; init; }
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
